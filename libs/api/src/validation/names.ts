/**
 * Name and format checks under the names `@logbook/api` has always used for
 * them. There is one implementation, `@logbook/machinery`'s
 * (k8s.io/apimachinery/pkg/util/validation with Kubernetes v1.32's exact
 * messages); this module only renames it, so that both libraries answer a
 * bad name with the same words.
 */
export {
  emptyError,
  inclusiveRangeError,
  isCIdentifier,
  isConfigMapKey,
  isDns1035Label as isDNS1035Label,
  isDns1123Label as isDNS1123Label,
  isDns1123Subdomain as isDNS1123Subdomain,
  isEnvVarName,
  isInRange,
  isLabelValue as isValidLabelValue,
  isQualifiedName,
  isValidIp as isValidIP,
  isValidPercent,
  isValidPortName,
  isValidPortNumber as isValidPortNum,
  isWildcardDns1123Subdomain as isWildcardDNS1123Subdomain,
  maxLenError,
  nameIsDns1035Label as nameIsDNS1035Label,
  nameIsDnsLabel as nameIsDNSLabel,
  nameIsDnsSubdomain as nameIsDNSSubdomain,
  nameIsPathSegment,
  regexError,
  DNS1035_LABEL_MAX_LENGTH,
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  LABEL_VALUE_MAX_LENGTH,
} from '@logbook/machinery';
export type { NameValidator } from '@logbook/machinery';

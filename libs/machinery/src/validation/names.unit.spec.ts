import {
  isCIdentifier,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isInRange,
  isLabelValue,
  isQualifiedName,
  isStrictEnvVarName,
  isValidPercent,
  isValidPortName,
  isValidIp,
  isValidPortNumber,
  isWildcardDns1123Subdomain,
} from './names';
import { regexError } from './messages';
import { nameIsPathSegment } from './object-names';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('DNS names', () => {
  it.each(['a', 'ab', 'a-b', '0', 'a.b', 'example.com', 'a'.repeat(253), '1.2.3.4'])('%s is a DNS-1123 subdomain', (v) => {
    expect(isDns1123Subdomain(v)).toEqual([]);
  });

  it.each(['', 'A', 'a_b', '-a', 'a-', 'a..b', '.a', 'a.', 'a b'])('%j is not a DNS-1123 subdomain', (v) => {
    expect(isDns1123Subdomain(v)).toEqual([SUBDOMAIN_MSG]);
  });

  it('limits subdomains to 253 characters', () => {
    expect(isDns1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });

  it('DNS-1123 labels: no dots, 63 characters', () => {
    expect(isDns1123Label('my-name')).toEqual([]);
    expect(isDns1123Label('123-abc')).toEqual([]);
    expect(isDns1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDns1123Label('My')).toEqual([LABEL_MSG]);
    expect(isDns1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('DNS-1035 labels start with a letter', () => {
    expect(isDns1035Label('abc-123')).toEqual([]);
    expect(isDns1035Label('1abc')).toEqual([DNS1035_MSG]);
    expect(isDns1035Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });
});

describe('qualified names and label values', () => {
  it.each(['simple', 'now-with-dashes', '1-starts-with-num', 'example.com/path', 'a.b/Upper_And.dots', 'app.kubernetes.io/name'])(
    '%s is a qualified name',
    (v) => expect(isQualifiedName(v)).toEqual([]),
  );

  it('reports the name part', () => {
    expect(isQualifiedName('-bad')).toEqual([NAME_PART_MSG]);
    expect(isQualifiedName('')).toEqual(['name part must be non-empty', NAME_PART_MSG]);
    expect(isQualifiedName('a'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
  });

  it('reports the prefix part', () => {
    expect(isQualifiedName('/a')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('Bad_Prefix/a')).toEqual([`prefix part ${SUBDOMAIN_MSG}`]);
  });

  it('rejects more than one slash with one message', () => {
    expect(isQualifiedName('a/b/c')).toEqual([
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });

  it('label values may be empty and are at most 63 bytes long (worded as characters)', () => {
    expect(isLabelValue('')).toEqual([]);
    expect(isLabelValue('v1.2_3-x')).toEqual([]);
    expect(isLabelValue('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isLabelValue('-x')[0]).toMatch(/^a valid label must be an empty string or consist of/);
  });
});

describe('identifiers and environment variables', () => {
  it('C identifiers', () => {
    expect(isCIdentifier('MY_NAME')).toEqual([]);
    expect(isCIdentifier('_a1')).toEqual([]);
    expect(isCIdentifier('1a')).toEqual([
      "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
    ]);
  });

  it('relaxed env var names accept any printable ASCII but =', () => {
    expect(isEnvVarName('1.weird name-ok')).toEqual([]);
    expect(isEnvVarName('')).toEqual(['environment variable name must be non-empty']);
    expect(isEnvVarName('A=B')).toEqual([
      "a valid environment variable name must consist only of printable ASCII characters other than '='",
    ]);
    expect(isEnvVarName('tab\t')).toHaveLength(1);
    expect(isEnvVarName('é')).toHaveLength(1);
  });

  it('strict env var names forbid a leading digit and . or ..', () => {
    expect(isStrictEnvVarName('my.env-name')).toEqual([]);
    expect(isStrictEnvVarName('1a')[0]).toMatch(/must not start with a digit/);
    expect(isStrictEnvVarName('..')).toEqual(["must not be '..'"]);
    expect(isStrictEnvVarName('..a')).toEqual(["must not start with '..'"]);
  });

  it('config map keys', () => {
    expect(isConfigMapKey('key.name')).toEqual([]);
    expect(isConfigMapKey('.')).toEqual(["must not be '.'"]);
    expect(isConfigMapKey('a/b')[0]).toMatch(/^a valid config key must consist of alphanumeric characters/);
  });
});

describe('ports and percentages', () => {
  it('port numbers are 1..65535', () => {
    expect(isValidPortNumber(1)).toEqual([]);
    expect(isValidPortNumber(65535)).toEqual([]);
    expect(isValidPortNumber(0)).toEqual(['must be between 1 and 65535, inclusive']);
    expect(isValidPortNumber(65536)).toEqual(['must be between 1 and 65535, inclusive']);
    expect(isInRange(5, 1, 4)).toEqual(['must be between 1 and 4, inclusive']);
  });

  it('port names follow IANA_SVC_NAME', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('h2c-8080')).toEqual([]);
    expect(isValidPortName('a'.repeat(16))).toEqual(['must be no more than 15 characters']);
    expect(isValidPortName('HTTP')).toEqual([
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ]);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('-ab')).toEqual(['must not begin or end with a hyphen']);
  });

  it('percent strings', () => {
    expect(isValidPercent('25%')).toEqual([]);
    expect(isValidPercent('25')).toEqual([
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ]);
  });
});

describe('the exact wording of kube-apiserver v1.32', () => {
  it("separates examples as Go's RegexError does: each ends in ', ' and ' or ' joins them (two spaces)", () => {
    expect(regexError('m', 'r')).toBe("m (regex used for validation is 'r')");
    expect(regexError('m', 'r', 'a')).toBe("m (e.g. 'a', regex used for validation is 'r')");
    expect(regexError('m', 'r', 'a', 'b')).toBe("m (e.g. 'a',  or 'b', regex used for validation is 'r')");
  });

  it('counts bytes, as Go does, but words the limit in characters', () => {
    expect(isLabelValue('é'.repeat(32))).toContain('must be no more than 63 characters');
  });

  it('wildcard subdomains (Ingress hosts)', () => {
    expect(isWildcardDns1123Subdomain('*.example.com')).toEqual([]);
    expect(isWildcardDns1123Subdomain('*.*.example.com')).toEqual([
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('IP literals as net.ParseIP takes them', () => {
    expect(['10.0.0.1', '::1', 'fe80::1'].map(isValidIp)).toEqual([true, true, true]);
    expect(['10.0.0.256', '010.0.0.1', 'example.com', ''].map(isValidIp)).toEqual([false, false, false, false]);
  });

  it('path segment names (Events, Bindings)', () => {
    expect(nameIsPathSegment('a.b:c', false)).toEqual([]);
    expect(nameIsPathSegment('..', false)).toEqual(["may not be '..'"]);
    expect(nameIsPathSegment('a/b%', false)).toEqual(["may not contain '/'", "may not contain '%'"]);
  });
});

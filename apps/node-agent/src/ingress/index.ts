export { IngressController, ingressOptionsFromEnv } from './ingress-controller';
export type { IngressControllerOptions } from './ingress-controller';
export { route, hostMatches, pathMatches, tlsSecretFor } from './ingress-routes';
export { IngressModule, IngressService } from './ingress.module';
export type { IngressModuleOptions } from './ingress.module';

export { defaultLogger, errorMessage } from './logger';
export type { SdkLogger } from './logger';

/** The SDK's version, sent in the user agent (`logbook-sdk/<version>`). */
export const SDK_VERSION = '0.1.0';

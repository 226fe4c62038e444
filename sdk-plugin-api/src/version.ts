/**
 * The version of this contract. A plugin's `apiVersion` is a semver range the server's version
 * must satisfy; a new major version means a breaking change to something in this package.
 */
export const SDK_API_VERSION = '1.0.0';

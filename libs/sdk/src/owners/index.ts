export { AlreadyOwnedError, controllerReferenceOf, isOwnedBy, setControllerReference, setOwnerReference } from './owner-references';

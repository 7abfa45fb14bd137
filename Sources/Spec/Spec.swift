// The Spec module.

// The Random module.

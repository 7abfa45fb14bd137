// The Passes module.

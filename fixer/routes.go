package fixer

// commandOptions are the options whose values ifupdown runs as shell commands.
var commandOptions = map[string]bool{"pre-up": true, "up": true, "post-up": true, "down": true, "pre-down": true, "post-down": true}

package parser

// Busybox is busybox 1.35's ifup applet (docs/dialects.md section 3).
//
// TODO(dialects): a placeholder that reads the file as ifupdown 0.8.41 does, until its own
// reading lands.
var Busybox = &Dialect{
	Name:         "busybox",
	logicalLines: eachLogical,
	dispatch:     dispatch08,
	families:     Ifupdown.families,
	include:      include08,
}

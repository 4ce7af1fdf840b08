package parser

// IfupdownNG is ifupdown-ng 0.11.3 (Alpine; docs/dialects.md section 2).
//
// TODO(dialects): a placeholder that reads the file as ifupdown 0.8.41 does, until its own
// reading lands.
var IfupdownNG = &Dialect{
	Name:         "ifupdown-ng",
	logicalLines: eachLogical,
	dispatch:     dispatch08,
	families:     Ifupdown.families,
	include:      include08,
}

package parser

// Ifupdown2 is ifupdown2 3.0.0 (Proxmox VE, Cumulus Linux; docs/dialects.md section 1).
//
// TODO(dialects): a placeholder that reads the file as ifupdown 0.8.41 does, until its own
// reading lands.
var Ifupdown2 = &Dialect{
	Name:         "ifupdown2",
	logicalLines: eachLogical,
	dispatch:     dispatch08,
	families:     Ifupdown.families,
	include:      include08,
}

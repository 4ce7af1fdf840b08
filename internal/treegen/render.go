package treegen

import (
	"regexp"
	"strings"
)

var headerComments = [][]string{
	{"# This file describes the network interfaces available on your system", "# and how to activate them. For more information, see interfaces(5)."},
	{"# interfaces(5) file used by ifup(8) and ifdown(8)"},
	{"### managed by hand ###", "#"},
	{"# généré à la main \xc3\xa9t\xc3\xa9 2019"},
}

var comments = []string{
	"# primary address", "    # the old gateway, see ticket 4411", "#\tbackup link", "# added by the installer",
	"## do not edit below ##", "#auto eth3",
}

// render turns a file's blocks into bytes with the formatting corners of interfaces(5).
func (g *gen) render(f *file) []byte {
	var lines []string
	if g.f(0.4) {
		lines = append(lines, headerComments[g.n(len(headerComments))]...)
		lines = append(lines, "")
	}
	for i, b := range f.blocks {
		if i > 0 {
			switch x := g.r.Float64(); {
			case x < 0.15:
			case x < 0.9:
				lines = append(lines, "")
			default:
				lines = append(lines, "", "")
			}
		}
		if b.st != nil {
			lines = append(lines, g.renderStanza(f, b.st)...)
			continue
		}
		for _, l := range b.lines {
			lines = append(lines, g.spacing(l))
		}
	}
	if g.f(0.02) {
		g.mark("backslash-eof")
		if len(lines) > 0 && g.f(0.5) && !strings.HasPrefix(strings.TrimSpace(lines[len(lines)-1]), "#") {
			lines[len(lines)-1] += "\\"
		} else {
			lines = append(lines, "\\")
		}
	}
	var b strings.Builder
	crlf, lf := 0, 0
	for i, l := range lines {
		b.WriteString(l)
		if i == len(lines)-1 && f.noFinal {
			break
		}
		if f.crlf || f.mixed && g.f(0.4) {
			b.WriteString("\r\n")
			crlf++
		} else {
			b.WriteString("\n")
			lf++
		}
	}
	switch {
	case crlf > 0 && lf > 0:
		g.mark("crlf-mixed")
	case crlf > 0:
		g.mark("crlf")
	}
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		g.mark("no-final-newline")
	}
	return []byte(b.String())
}

// classify records the features of a stanza as it is written.
func (g *gen) classify(st *stanza) {
	if st.fam != "" {
		g.mark("method:" + st.fam + ":" + st.method)
	}
	if st.inherits != "" {
		g.mark("inherits")
		if st.bare {
			g.mark("inherits-bare")
		}
	}
	gws, addr, mask := 0, "", ""
	for _, o := range st.opts {
		switch o.key {
		case "gateway", "gateway?":
			gws++
			if o.key == "gateway?" {
				g.mark("gateway?")
			}
			if strings.HasPrefix(o.val, "fe80:") {
				g.mark("gateway-link-local")
			}
		case "Gateway", "GATEWAY", "gateWay":
			g.mark("case-variant")
		case "metric":
			g.mark("metric")
		case "address":
			addr = o.val
		case "netmask":
			mask = o.val
		case "up", "post-up", "pre-up", "down", "pre-down", "post-down":
			g.classifyCommand(o.val)
		}
	}
	if gws > 1 {
		g.mark("gateway-repeated")
	}
	if gws > 0 && st.method != "" && st.method != "static" && st.method != "tunnel" && st.method != "v4tunnel" {
		g.mark("gateway-ignored-by-method")
	}
	switch {
	case st.method == "static" && addr == "" && st.inherits == "":
		g.mark("static-without-address")
	case st.fam == "inet" && addr != "" && !strings.Contains(addr, "/") && mask == "" && st.inherits == "":
		g.mark("address-classful")
	case strings.Contains(mask, "."):
		g.mark("netmask-dotted")
	}
}

var defaultRoute = regexp.MustCompile(`\b(route\s+(-A inet6\s+)?(add|del)\s+(-net\s+)?(default|0\.0\.0\.0)|ip\s+(-6\s+)?r\S*\s+\S+\s+(default|0/0|0\.0\.0\.0/0|::/0))\b`)

// classifyCommand records how an up/down command is spelled.
func (g *gen) classifyCommand(c string) {
	if defaultRoute.MatchString(c) {
		g.mark("route-command")
		switch {
		case strings.Contains(c, "-6 ") || strings.Contains(c, "inet6") || strings.Contains(c, "::"):
			g.mark("route:ip6")
		case strings.Contains(c, "route add") || strings.Contains(c, "route del"):
			if !strings.Contains(c, "ip route") {
				g.mark("route:net-tools")
			}
		}
		if strings.Contains(c, "ip r ") || strings.Contains(c, "ip ro ") {
			g.mark("route:abbrev")
		}
		if strings.Contains(c, " 0/0 ") {
			g.mark("route:0/0")
		}
		for _, w := range []string{"add", "append", "replace", "prepend", "del"} {
			if strings.Contains(c, "ip route "+w+" ") {
				g.mark("route:ip-" + w)
			}
		}
	} else if strings.Contains(c, "10.99.0.0/16") {
		g.mark("route-non-default")
	}
	for marker, f := range map[string]string{" || ": "shell:or", " && ": "shell:and", " | ": "shell:pipe", "; ": "shell:semicolon",
		"/dev/null": "shell:redirect", "$(": "shell:cmdsubst", "$IFACE": "shell:variable"} {
		if strings.Contains(c, marker) {
			g.mark(f)
		}
	}
	if strings.HasSuffix(c, " &") {
		g.mark("shell:background")
	}
}

// spacing sometimes writes the separators of a directive line as tabs or runs of blanks.
func (g *gen) spacing(l string) string {
	if !g.f(0.1) || strings.HasPrefix(strings.TrimSpace(l), "#") {
		return l
	}
	g.mark("tabs")
	return strings.ReplaceAll(l, " ", g.pick("\t", "  ", " \t"))
}

func (g *gen) indent() string {
	switch x := g.r.Float64(); {
	case x < 0.5:
		return "    "
	case x < 0.7:
		g.mark("tabs")
		return "\t"
	case x < 0.8:
		return "  "
	case x < 0.86:
		g.mark("unindented-option")
		return ""
	case x < 0.87:
		g.mark("odd-whitespace")
		return "\v  "
	default:
		return "        "
	}
}

func (g *gen) renderStanza(f *file, st *stanza) []string {
	g.classify(st)
	head := "iface " + st.name
	switch {
	case st.bare:
		head += " inherits " + st.inherits
	default:
		head += " " + st.fam + " " + st.method
		if st.inherits != "" {
			head += " inherits " + st.inherits
		}
	}
	if g.f(0.03) {
		head += " # " + g.pick("note", "uplink", "see below")
		g.mark("midline-hash-iface")
	}
	lines := []string{g.spacing(head)}
	ind := g.indent()
	crlf := f.crlf || f.mixed
	for i, o := range st.opts {
		if g.f(0.12) {
			ind = g.indent() // people are not consistent
		}
		switch x := g.r.Float64(); {
		case x < 0.04:
			lines = append(lines, "")
			g.mark("blank-in-stanza")
		case x < 0.05:
			lines = append(lines, ind+" \t")
			g.mark("blank-in-stanza")
		case x < 0.1:
			lines = append(lines, comments[g.n(len(comments))])
			g.mark("comment")
		case x < 0.12:
			lines = append(lines, ind+"#gateway "+strings.Fields(o.val + " x")[0])
			g.mark("commented-gateway")
		case x < 0.13:
			lines = append(lines, ind+"# was: gateway 192.0.2.254 \\")
			g.mark("comment-backslash")
		case x < 0.14:
			lines = append(lines, "# \xff\xfe odd bytes \x01 in a comment")
			g.mark("odd-bytes")
		case x < 0.141 && !g.opts.NoHostPaths && !g.feat["nul"]:
			lines = append(lines, "# a NUL \x00 byte")
			g.mark("nul")
		}
		sep := " "
		if g.f(0.08) {
			sep = g.pick("\t", "   ", " \t ")
			g.mark("tabs")
		}
		val := o.val
		if o.key == "gateway" && g.f(0.05) {
			val += " # upstream router"
			g.mark("midline-hash")
		}
		line := ind + o.key + sep + val
		if g.f(0.04) {
			line += g.pick(" ", "\t", "  ")
			g.mark("trailing-space")
		}
		switch x := g.r.Float64(); {
		case x < 0.06 && strings.Contains(val, " ") && !strings.Contains(val, "#"):
			// one option over two physical lines (not at a comment's '#': with CRLF lines the
			// backslash is no continuation, and the comment would start a line of its own)
			words := strings.SplitAfter(val, " ")
			cut := 1 + g.n(len(words)-1)
			lines = append(lines, ind+o.key+sep+strings.Join(words[:cut], "")+"\\", g.pick("    ", "\t", "", "  ")+strings.Join(words[cut:], ""))
			g.mark("continuation")
			if crlf {
				g.mark("crlf-backslash")
			}
			continue
		case x < 0.08 && !strings.Contains(val, "#"):
			lines = append(lines, ind+o.key+" \\", ind+"  "+val)
			g.mark("continuation")
			if crlf {
				g.mark("crlf-backslash")
			}
			continue
		case x < 0.085 && o.key == "gateway":
			// the next line, a comment to the eye, is part of the value
			lines = append(lines, line+"\\", "# upstream")
			g.mark("continuation-hash")
			continue
		case x < 0.09 && (o.key == "up" || o.key == "post-up") && i == len(st.opts)-1:
			lines = append(lines, line+"\\", "")
			g.mark("continuation-empty")
			continue
		}
		lines = append(lines, line)
	}
	if st.bareSel == "" && strings.Contains(st.name, ":") && g.f(0.03) {
		st.bareSel = g.pick("auto", "allow-hotplug")
		g.mark("bare-selection-in-stanza")
	}
	if st.bareSel != "" {
		lines = append(lines, ind+st.bareSel)
	}
	return lines
}

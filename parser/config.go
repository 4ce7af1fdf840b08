package parser

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"strings"
	"syscall"
	"unsafe"
)

// Config is a whole configuration: the top-level file and every file it sources, as ifupdown reads
// them.
type Config struct {
	Dialect    *Dialect  // the program whose reading this is
	Files      []*File   // in the order ifupdown first reads them; Files[0] is the top-level file
	Stanzas    []*Stanza // every iface stanza, in ifupdown's reading order
	Selections []Selection
	Warnings   []Warning
	// Interfaces are the interfaces of a dialect that merges every line naming one interface into
	// it (ifupdown-ng), in the order the program first meets them; nil for the other dialects.
	Interfaces []*Interface
}

// Selection is an auto, allow-CLASS, no-auto-down or no-scripts line, in ifupdown's reading order.
type Selection struct {
	Keyword string   // as written: auto, allow-hotplug, no-scripts, ...
	Names   []string // the names it lists (cut to 79 bytes); a bare line in an iface stanza names that stanza
	File    *File
	Line    int // index in File.Lines
}

// Options tune [Load].
type Options struct {
	// WorkDir is the directory against which ifupdown resolves the relative words after the first
	// one of a source line: its working directory, "/" at boot. Default "/".
	WorkDir string
	// NoIncludes records source lines without following them (standard input mode).
	NoIncludes bool
	// MaxDepth bounds include nesting; deeper is an error (default 100).
	MaxDepth int
	// Display maps a file name to the path shown in errors (default: the name itself).
	Display func(name string) string
	// Dialect is the program whose reading of the files to reproduce (default Ifupdown).
	Dialect *Dialect
}

// ReadFileInfoFS is implemented by filesystems that can read a file and stat that same open file,
// so the recorded size and time match the bytes (rootfs.FS does).
type ReadFileInfoFS interface {
	ReadFileInfo(name string) ([]byte, fs.FileInfo, error)
}

// Load reads and parses the file name (an absolute slash path in fsys, e.g.
// "/etc/network/interfaces") and every file it sources. Errors that ifupdown treats as fatal in the
// top-level file, and every file that cannot be read safely, return an *Error; errors inside a
// sourced file drop the rest of that file (as ifupdown does) and are recorded in Config.Warnings.
func Load(fsys fs.FS, name string, opt Options) (cfg *Config, err error) {
	l := newLoader(fsys, opt)
	defer l.recoverInternal(name, &err)
	f, err := l.read(name, nil)
	if err != nil {
		return nil, err
	}
	f.literal = name
	l.literals[name] = true
	l.cfg.Files = append(l.cfg.Files, f)
	if err := l.parseFile(f, 0, true); err != nil {
		return nil, err
	}
	l.inferFamilies()
	return l.cfg, nil
}

// ParseBytes parses data as the top-level file name, without following includes.
func ParseBytes(name string, data []byte, opt Options) (cfg *Config, err error) {
	opt.NoIncludes = true
	l := newLoader(nil, opt)
	defer l.recoverInternal(name, &err)
	f := &File{Name: name, Path: l.opt.Display(name), Data: string(data), Info: FileInfo{Size: int64(len(data))}, literal: name}
	l.cfg.Files = append(l.cfg.Files, f)
	if err := l.parseFile(f, 0, true); err != nil {
		return nil, err
	}
	l.inferFamilies()
	return l.cfg, nil
}

// inferFamilies gives a stanza without a family (`iface eth0`, which ifupdown2 and ifupdown-ng
// accept, configuring each address and gateway in its own family) the family of its address and
// gateway values where they all have the same one, so that it is checked as `iface eth0 inet`
// would be. A stanza with values of both families, or one that is not an address, keeps none
// (and is not checked).
func (l *loader) inferFamilies() {
	if l.dialect != Ifupdown2 && l.dialect != IfupdownNG {
		return
	}
	for _, s := range l.cfg.Stanzas {
		if s.Family != "" {
			continue
		}
		fam := ""
		for _, o := range s.Options {
			if o.Name != "address" && o.Name != "gateway" {
				continue
			}
			for _, w := range strings.Fields(o.Value) {
				a, _, _ := strings.Cut(w, "/")
				f := "?"
				if ip, err := netip.ParseAddr(a); err == nil && ip.Is4() {
					f = "inet"
				} else if err == nil {
					f = "inet6"
				}
				if fam == "" {
					fam = f
				} else if fam != f {
					fam = "?"
				}
			}
		}
		if fam == "inet" || fam == "inet6" {
			s.Family, s.FamilyInferred = fam, true
		}
	}
}

type fileID struct {
	dev, ino uint64
	name     string
}

type loader struct {
	dialect  *Dialect
	fsys     fs.FS
	opt      Options
	cfg      *Config
	seen     map[fileID]bool
	active   map[fileID]bool // files on the current include chain
	literals map[string]bool // path spellings read, as ifupdown's already_seen keeps them
	dstate   any             // the dialect's parse state across files (Dialect.parse), or nil
}

func newLoader(fsys fs.FS, opt Options) *loader {
	if opt.WorkDir == "" {
		opt.WorkDir = "/"
	}
	if opt.MaxDepth == 0 {
		opt.MaxDepth = 100
	}
	if opt.Display == nil {
		opt.Display = func(s string) string { return s }
	}
	d := opt.Dialect
	if d == nil {
		d = Ifupdown
	}
	return &loader{dialect: d, fsys: fsys, opt: opt, cfg: &Config{Dialect: d}, seen: map[fileID]bool{}, active: map[fileID]bool{}, literals: map[string]bool{}}
}

// recoverInternal turns a parser bug into an error instead of a crash: the caller then leaves the
// configuration alone.
func (l *loader) recoverInternal(name string, err *error) {
	if r := recover(); r != nil {
		*err = &Error{Path: l.opt.Display(name), Msg: fmt.Sprintf("internal error: %v", r)}
	}
}

func (l *loader) errorf(f *File, line int, format string, args ...any) *Error {
	return &Error{Path: l.opt.Display(f.Name), Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (l *loader) warn(code string, f *File, e *Error) {
	l.cfg.Warnings = append(l.cfg.Warnings, Warning{Code: code, File: f, Error: e})
}

// fsName turns an absolute slash path into an fs.FS name.
func fsName(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// read reads one file. from is the source line that named it (nil for the top-level file).
func (l *loader) read(name string, from *Error) (*File, error) {
	fail := func(msg string, err error) error {
		if from != nil {
			return &Error{Path: from.Path, Line: from.Line, Msg: fmt.Sprintf("%s: %s", l.opt.Display(name), msg), Err: err}
		}
		return &Error{Path: l.opt.Display(name), Msg: msg, Err: err}
	}
	var (
		data []byte
		info fs.FileInfo
		err  error
	)
	if rf, ok := l.fsys.(ReadFileInfoFS); ok {
		data, info, err = rf.ReadFileInfo(fsName(name))
	} else if info, err = fs.Stat(l.fsys, fsName(name)); err == nil {
		if !info.Mode().IsRegular() {
			return nil, fail("not a regular file ("+kindOf(info.Mode())+")", nil)
		}
		data, err = fs.ReadFile(l.fsys, fsName(name))
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fail(err.Error(), err)
	}
	// data is ours alone and never written again, so the File can use its bytes without a copy.
	f := &File{Name: name, Path: l.opt.Display(name), Data: unsafe.String(unsafe.SliceData(data), len(data)),
		Info: FileInfo{Size: info.Size(), ModTime: info.ModTime().UnixNano()}}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		f.Info.Dev, f.Info.Ino, f.Info.HasID = uint64(st.Dev), st.Ino, true
	}
	return f, nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "irregular file"
}

func (f *File) id() fileID {
	if f.Info.HasID {
		return fileID{dev: f.Info.Dev, ino: f.Info.Ino}
	}
	return fileID{name: path.Clean(f.Name)}
}

// parseFile runs ifupdown's read_interfaces_defn over one file, following includes in place so
// that stanzas are numbered in ifupdown's order.
func (l *loader) parseFile(f *File, depth int, top bool) error {
	id := f.id()
	l.seen[id], l.active[id] = true, true
	defer delete(l.active, id)

	if i := strings.IndexByte(f.Data, 0); i >= 0 {
		return l.errorf(f, strings.Count(f.Data[:i], "\n")+1, "NUL byte: not a text file")
	}
	f.Phys = splitLines(f.Data)
	f.d = l.dialect
	if l.dialect.checkFile != nil {
		n, why, skip := l.dialect.checkFile(l, f)
		if why != "" {
			return l.errorf(f, n, "%s", why)
		}
		if skip {
			f.Lines = make([]Line, len(f.Phys))
			for i := range f.Lines {
				f.Lines[i] = Line{Start: i, End: i + 1, Num: int32(i + 1), Kind: Ignored}
			}
			return nil
		}
	}
	f.Lines = make([]Line, 0, len(f.Phys))
	texts := make([]string, 0, len(f.Phys)) // dropped when parsing ends: Keyword and Rest keep what counts
	f.d = l.dialect
	var refused *Error
	l.dialect.logicalLines(f.Phys, func(g logical) {
		k := Blank
		if g.comment {
			k = Comment
		}
		f.Lines = append(f.Lines, Line{Start: g.start, End: g.end, Num: int32(g.ifLine), Kind: k})
		texts = append(texts, g.text)
		if g.refuse != "" && refused == nil {
			refused = l.errorf(f, g.start+1, "%s", g.refuse)
		}
	})
	if refused != nil {
		return refused
	}
	if l.dialect.parse != nil {
		return l.dialect.parse(l, f, texts, depth)
	}

	var st state
	var cur *Stanza
	for i, text := range texts {
		ln := &f.Lines[i]
		if ln.Kind == Comment {
			continue
		}
		w, rest, ok := l.dialect.nextWord(text)
		if !ok {
			continue // Blank
		}
		ln.Keyword, ln.Rest = w, rest
		kind, next, msg := l.dialect.dispatch(w, rest, st)
		if msg == "" && l.dialect.check != nil {
			msg = l.dialect.check(l.cfg, cur, kind, w, rest)
		}
		ln.Kind = kind
		var perr *Error
		switch {
		case msg != "" && kind == Ignored:
			// The dialect's program reports the line and goes on without it.
			l.warn("dialect-error", f, l.errorf(f, int(ln.Num), "%s", msg))
		case msg != "":
			perr = l.errorf(f, int(ln.Num), "%s", msg)
		case kind == Iface && l.dialect.iface != nil:
			cur, perr = l.dialect.iface(l, f, i, rest)
		case kind == Iface:
			cur, perr = l.iface(f, i, rest)
		case kind == Option:
			cur.Options = append(cur.Options, &Opt{Stanza: cur, Line: i, Name: w, Value: rest})
		case kind == Auto:
			sel := Selection{Keyword: w, File: f, Line: i}
			if rest == "" && st.in == inIface && next.in == inIface { // a bare line that stays in the stanza names it
				sel.Names = []string{cur.Name}
			}
			for n, r, ok := l.dialect.nextWord(rest); ok; n, r, ok = l.dialect.nextWord(r) {
				sel.Names = append(sel.Names, n)
			}
			l.cfg.Selections = append(l.cfg.Selections, sel)
		case (kind == Source || kind == SourceDir) && !l.opt.NoIncludes:
			if err := l.dialect.include(l, f, ln, depth); err != nil {
				return err
			}
		}
		st = next
		if perr != nil {
			if top || l.dialect.fatalEverywhere {
				return perr
			}
			// ifupdown warns and drops the rest of a sourced file; the parent goes on.
			f.Err = perr
			l.warn("sourced-file-error", f, perr)
			for j := i; j < len(f.Lines); j++ {
				f.Lines[j].Kind = Ignored
			}
			return nil
		}
	}
	return nil
}

// iface parses an iface line the way config.c does, including its exact error messages.
func (l *loader) iface(f *File, idx int, rest string) (*Stanza, *Error) {
	num := int(f.Lines[idx].Num)
	nextWord := l.dialect.nextWord
	name, rest, ok := nextWord(rest)
	if !ok {
		return nil, l.errorf(f, num, "too few parameters for iface line")
	}
	s := &Stanza{File: f, Header: idx, Name: name}
	inherits := false
	fam, rest, ok := nextWord(rest)
	if ok {
		if l.dialect.knownFamily(fam) {
			s.Family = fam
			var m string
			if m, rest, ok = nextWord(rest); ok {
				if l.dialect.knownMethod(fam, m) {
					s.Method = m
				} else {
					inherits = m == "inherits"
				}
			}
		} else {
			inherits = fam == "inherits"
		}
	}
	if s.Family == "" && !inherits {
		return nil, l.errorf(f, num, "unknown or no address type and no inherits keyword specified")
	}
	if s.Method == "" && !inherits {
		return nil, l.errorf(f, num, "unknown or no method and no inherits keyword specified")
	}
	if !inherits {
		var extra string
		if extra, rest, ok = nextWord(rest); ok {
			if extra == "inherits" {
				inherits = true
			} else {
				l.warn("iface-extra-parameter", f, l.errorf(f, num, "extra parameter for the iface line not understood and ignored: %s", extra))
			}
		}
	}
	if inherits {
		other, _, ok := nextWord(rest)
		if !ok {
			return nil, l.errorf(f, num, "'inherits' keyword is missing a parameter")
		}
		s.Inherits = other
		for _, c := range l.cfg.Stanzas {
			if c.Name == other && (s.Family == "" || c.Family == s.Family) {
				s.Parent = c
				break
			}
		}
		if s.Parent == nil {
			fam := s.Family
			if fam == "" {
				fam = "*"
			}
			return nil, l.errorf(f, num, "unknown iface to inherit from: %s (%s)", other, fam)
		}
		if s.Family == "" {
			s.Family = s.Parent.Family
		}
		if s.Method == "" {
			s.Method = s.Parent.Method
		}
	}
	l.cfg.Stanzas = append(l.cfg.Stanzas, s)
	f.Stanzas = append(f.Stanzas, s)
	return s, nil
}

package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gowsgi/gowsgi/runner/logging"
)

// logSet is the logger and the files it writes to, by name, so that SIGUSR1
// can reopen them after logrotate has moved them away.
type logSet struct {
	log        *logging.Logger
	serverPath string // "" when the server log is stdout
	accessPath string // "" when access lines go with the server log (or to stdout)

	stdout         *os.File
	accessToStdout bool // web -l -

	mu     sync.Mutex
	server *os.File  // nil: stdout
	access *os.File  // nil: with the server log, or stdout
	echo   io.Writer // a daemon starting: server log lines are copied here too
	stdio  bool      // a daemon: fds 1 and 2 follow the server log (stray output, panics)
}

// openLogSet opens the logs that -l (server log, before web) and web -l
// (access log) name, and makes the logger with --color and --access-log.
// Files are opened for appending and are never coloured. echo, when not nil,
// gets a copy of the server log until detach.
func (inv *invocation) openLogSet(stdout *os.File, echo io.Writer) (*logSet, error) {
	ls := &logSet{echo: echo, stdout: stdout, accessToStdout: inv.web.Logfile == "-"}
	if p := inv.global.Logfile; p != "" && p != "-" {
		ls.serverPath = p
	}
	if p := inv.web.Logfile; p != "" && p != "-" {
		ls.accessPath = p
	}
	server, access, err := ls.open()
	if err != nil {
		return nil, err
	}
	ls.server, ls.access = server, access
	opts := logging.Options{
		Out:          ls.serverWriter(),
		OutColor:     server == nil && logging.UseColor(inv.web.Color, stdout),
		Terminal:     server == nil && logging.IsTerminal(stdout),
		Access:       ls.accessWriter(),
		AccessFormat: inv.web.AccessLog,
	}
	opts.AccessColor = ls.accessToStdout && opts.OutColor
	ls.log = logging.New(opts)
	return ls, nil
}

// open opens the named files; on an error it closes what it opened.
func (ls *logSet) open() (server, access *os.File, err error) {
	openFile := func(flag, path string) (*os.File, error) {
		if path == "" {
			return nil, nil
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, &exitError{code: 1, msg: fmt.Sprintf("gowsgi: %s: %v", flag, err)}
		}
		return f, nil
	}
	if server, err = openFile("-l", ls.serverPath); err != nil {
		return nil, nil, err
	}
	if access, err = openFile("web -l", ls.accessPath); err != nil {
		if server != nil {
			server.Close()
		}
		return nil, nil, err
	}
	return server, access, nil
}

// serverWriter is where server log lines go: the file, and the echo while
// there is one. Called with mu held, or before the logger exists.
func (ls *logSet) serverWriter() io.Writer {
	var w io.Writer = ls.server
	if ls.server == nil {
		w = ls.stdout
	}
	if ls.echo != nil {
		w = io.MultiWriter(w, ls.echo)
	}
	return w
}

// accessWriter is the access log's file, stdout, or nil when access lines
// go with the server log.
func (ls *logSet) accessWriter() io.Writer {
	switch {
	case ls.access != nil:
		return ls.access
	case ls.accessToStdout:
		return ls.stdout
	}
	return nil
}

// detach ends the echo and, with stdio, points fds 1 and 2 at the server
// log: what a daemon does once it serves.
func (ls *logSet) detach(stdio bool) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.echo = nil
	ls.log.Reopen(ls.serverWriter(), ls.accessWriter())
	ls.stdio = stdio
	return ls.redirectStdioLocked()
}

func (ls *logSet) redirectStdioLocked() error {
	if !ls.stdio || ls.server == nil {
		return nil
	}
	for _, fd := range []int{1, 2} {
		if err := dupTo(int(ls.server.Fd()), fd); err != nil {
			return fmt.Errorf("pointing fd %d at the log: %v", fd, err)
		}
	}
	return nil
}

// reopen opens the log files anew by name (SIGUSR1): after logrotate renamed
// them, new lines go to new files of the old names. When a file cannot be
// opened, the old ones are kept and the error returned. It says whether
// there were files to reopen.
func (ls *logSet) reopen() (bool, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.serverPath == "" && ls.accessPath == "" {
		return false, nil
	}
	server, access, err := ls.open()
	if err != nil {
		return false, err
	}
	oldServer, oldAccess := ls.server, ls.access
	ls.server, ls.access = server, access
	ls.log.Reopen(ls.serverWriter(), ls.accessWriter())
	err = ls.redirectStdioLocked()
	for _, f := range []*os.File{oldServer, oldAccess} {
		if f != nil {
			f.Close()
		}
	}
	return true, err
}

// close closes the files.
func (ls *logSet) close() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for _, f := range []*os.File{ls.server, ls.access} {
		if f != nil {
			f.Close()
		}
	}
}

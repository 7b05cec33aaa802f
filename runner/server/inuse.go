package server

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gowsgi/gowsgi/runner/config"
)

// listenError explains a listener that cannot open. For a port in use it
// names the process holding it, when this machine lets us see it (Linux's
// /proc), and says how to get a free port.
func listenError(ep config.Listener, err error) error {
	if !errors.Is(err, syscall.EADDRINUSE) || ep.Network != "tcp" {
		return fmt.Errorf("cannot listen on %s: %v", ep.Spec, err)
	}
	_, portText, _ := net.SplitHostPort(ep.Address)
	port, _ := strconv.Atoi(portText)
	who := ""
	if pid, cmd := portHolder(port); pid > 0 {
		who = fmt.Sprintf(" (by PID %d: %s)", pid, cmd)
	}
	return fmt.Errorf("cannot listen on %s: port %d is already in use%s; stop that, or choose another port: --listen tcp:0 picks a free one", ep.Spec, port, who)
}

// portHolder finds the process listening on a TCP port: the socket's inode
// from /proc/net/tcp and tcp6, then the process holding that inode.
func portHolder(port int) (pid int, cmdline string) {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// sl local_address rem_address st ... inode (the 10th field)
			if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseUint(hexPort, 16, 16); ok && err == nil && int(p) == port {
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
		f.Close()
	}
	if len(inodes) == 0 {
		return 0, ""
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		if target, err := os.Readlink(fd); err == nil && inodes[target] {
			dir := filepath.Dir(filepath.Dir(fd))
			pid, _ = strconv.Atoi(filepath.Base(dir))
			raw, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
			cmdline = strings.TrimSpace(strings.ReplaceAll(string(raw), "\x00", " "))
			if len(cmdline) > 120 {
				cmdline = cmdline[:117] + "..."
			}
			return pid, cmdline
		}
	}
	return 0, ""
}

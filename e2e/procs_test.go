package e2e

// Finding the processes a test left behind, from /proc: every gowsgi a test
// starts gets a token in its environment, which the workers, the reaper
// helper and whatever the app starts inherit, wherever they are reparented.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const tokenEnv = "GOWSGI_TEST_TOKEN"

// newToken is a value no other test, run or process carries.
func newToken(t *testing.T) string {
	return fmt.Sprintf("%s-%d-%d", strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()), os.Getpid(), time.Now().UnixNano())
}

// proc is one process, as /proc shows it.
type proc struct {
	pid, ppid, pgid, sid int
	state                byte // R, S, Z, ...
	cmdline              string
}

func (p proc) String() string {
	return fmt.Sprintf("PID %d (parent %d, state %c): %s", p.pid, p.ppid, p.state, p.cmdline)
}

// readProc reads /proc/PID; ok is false when there is no such process.
func readProc(pid int) (p proc, ok bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return p, false
	}
	// "PID (comm) STATE PPID ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	fields := strings.Fields(string(stat[i+1:]))
	if i < 0 || len(fields) < 4 {
		return p, false
	}
	p.pid = pid
	p.state = fields[0][0]
	p.ppid, _ = strconv.Atoi(fields[1])
	p.pgid, _ = strconv.Atoi(fields[2])
	p.sid, _ = strconv.Atoi(fields[3])
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	p.cmdline = strings.TrimSpace(string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
	return p, true
}

// running reports whether pid is a process that has not exited (a zombie
// has: where nobody reaps, a stopped daemon stays one).
func running(pid int) bool {
	p, ok := readProc(pid)
	return ok && p.state != 'Z'
}

// leftovers returns the running processes that carry token in their
// environment, or descend from one of roots.
func leftovers(token string, roots ...int) []proc {
	entries, _ := os.ReadDir("/proc")
	all := map[int]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if p, ok := readProc(pid); ok && p.state != 'Z' {
			all[pid] = p
		}
	}
	rootSet := map[int]bool{}
	for _, r := range roots {
		rootSet[r] = true
	}
	var found []proc
	for pid, p := range all {
		env, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
		mine := bytes.Contains(env, []byte("\x00"+tokenEnv+"="+token+"\x00")) || bytes.HasPrefix(env, []byte(tokenEnv+"="+token+"\x00"))
		for a, hops := p, 0; !mine && a.ppid > 1 && hops < 64; hops++ {
			mine = rootSet[a.ppid]
			var ok bool
			if a, ok = all[a.ppid]; !ok {
				break
			}
		}
		if mine || rootSet[pid] {
			found = append(found, p)
		}
	}
	return found
}

// waitNoLeftovers fails the test unless every process of token (and of
// roots) is gone within timeout.
func waitNoLeftovers(t *testing.T, timeout time.Duration, token string, roots ...int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := leftovers(token, roots...)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			var lines []string
			for _, p := range left {
				lines = append(lines, "  "+p.String())
			}
			t.Errorf("still running %s later:\n%s", timeout, strings.Join(lines, "\n"))
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killLeftovers kills, by PID, what a test left behind: a failing test must
// not leave sleeps and workers to the next.
func killLeftovers(token string, roots ...int) {
	for _, p := range leftovers(token, roots...) {
		syscall.Kill(p.pid, syscall.SIGKILL)
	}
}

// waitGone waits until pid has exited; false if it has not within timeout.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for running(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

package e2e

// The process around the server, in the foreground: what is left when
// gowsgi ends.

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// startForker runs gowsgi -n on forker.application with a token in its
// environment, and waits until it listens.
func startForker(t *testing.T, token string, args ...string) *server {
	t.Helper()
	all := append([]string{"-n", "web", "--listen", "tcp:0", "--python", venvPy, "--wsgi", "forker.application", "--no-reload"}, args...)
	s := waitListening(t, launchRaw(t, testApps, []string{tokenEnv + "=" + token}, all...))
	t.Cleanup(func() { killLeftovers(token, s.cmd.Process.Pid) })
	return s
}

// forkerPIDs starts one more child with /spawn and returns the worker, its
// import-time child and the spawned one, checking that the scan sees them.
func forkerPIDs(t *testing.T, s *server, token string) []int {
	t.Helper()
	var worker, child, spawned int
	_, body := s.get("/")
	fmt.Sscanf(body, "%d %d", &worker, &child)
	_, body = s.get("/spawn")
	fmt.Sscanf(body, "%d", &spawned)
	pids := []int{worker, child, spawned}
	seen := map[int]bool{}
	for _, p := range leftovers(token, s.cmd.Process.Pid) {
		seen[p.pid] = true
	}
	for _, pid := range pids {
		if pid == 0 || !seen[pid] {
			t.Fatalf("the scan of /proc does not see PID %d (worker, child, spawned: %v); it would prove nothing", pid, pids)
		}
	}
	return pids
}

// TestNoProcessOutlivesGowsgi: the workers, the reaper helper and what the
// app started (a sleep at import, one per request) are gone after a clean
// stop, and after SIGKILL of gowsgi (which can do nothing itself).
func TestNoProcessOutlivesGowsgi(t *testing.T) {
	t.Run("clean stop", func(t *testing.T) {
		token := newToken(t)
		s := startForker(t, token)
		forkerPIDs(t, s, token)
		s.cmd.Process.Signal(syscall.SIGTERM)
		<-s.done
		if s.err != nil {
			t.Errorf("exit after SIGTERM: %v", s.err)
		}
		// gowsgi waited for its helper, which killed what was left: nothing
		// may be running by the time gowsgi has exited.
		waitNoLeftovers(t, 0, token, s.cmd.Process.Pid)
	})
	t.Run("SIGKILL", func(t *testing.T) {
		token := newToken(t)
		s := startForker(t, token)
		pids := forkerPIDs(t, s, token)
		s.cmd.Process.Kill()
		<-s.done
		waitNoLeftovers(t, 5*time.Second, token, append(pids, s.cmd.Process.Pid)...)
	})
}

package gpython

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// TestMain lets the test binary act as a worker process, the way gowsgi's
// main does: `if os.Args[1] == gpython.WorkerArg { os.Exit(gpython.ServeWorker()) }`.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == WorkerArg {
		os.Exit(ServeWorker())
	}
	os.Exit(m.Run())
}

func fdPair(t *testing.T) (*os.File, *side) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	theirs := os.NewFile(uintptr(fds[0]), "worker end")
	ours := os.NewFile(uintptr(fds[1]), "runner end")
	c, err := netFileConn(ours)
	if err != nil {
		t.Fatal(err)
	}
	return theirs, newSide(c)
}

// startProcess starts the test binary as a worker with the fds the runner
// passes: 3 control, 4.. lanes.
func startProcess(t *testing.T, root, app string, threads int) (*exec.Cmd, *side, []*side, string) {
	t.Helper()
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := e.Command()
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Args[1] != WorkerArg {
		t.Fatalf("worker args %v", cmd.Args)
	}
	ctrlTheirs, ctrl := fdPair(t)
	cmd.ExtraFiles = []*os.File{ctrlTheirs}
	var lanes []*side
	for i := 0; i < threads; i++ {
		f, s := fdPair(t)
		cmd.ExtraFiles = append(cmd.ExtraFiles, f)
		lanes = append(lanes, s)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, f := range cmd.ExtraFiles {
		f.Close()
	}
	typ, p := ctrl.next(t)
	if typ != wire.Hello || !strings.HasPrefix(string(p), "gowsgi-wire/2\x00gpython\x00v0.2.0\x00") {
		t.Fatalf("hello %q %q", typ, p)
	}
	cfg, _ := json.Marshal(wire.WorkerConfig{App: app, Root: root, Threads: threads, WorkerID: 1})
	_ = ctrl.send(wire.Import, cfg)
	typ, p = ctrl.next(t)
	if typ == wire.Failed {
		return cmd, ctrl, lanes, string(p)
	}
	if typ != wire.Ready {
		t.Fatalf("import answered %q; stderr %s", typ, stderr.String())
	}
	return cmd, ctrl, lanes, ""
}

func waitExit(t *testing.T, cmd *exec.Cmd) int {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("worker process did not exit")
	}
	return cmd.ProcessState.ExitCode()
}

func TestWorkerProcess(t *testing.T) {
	dir := writeApp(t, map[string]string{"hello.py": helloApp})
	cmd, ctrl, lanes, failed := startProcess(t, dir, "hello.application", 2)
	if failed != "" {
		t.Fatal(failed)
	}
	h := &harness{t: t, lanes: lanes}
	for i := range lanes {
		if r := h.request(i, map[string]string{"PATH_INFO": "/"}, nil, 0); string(r.body) != "Hello, world!\n" {
			t.Fatalf("lane %d: %+v", i, r)
		}
	}
	_ = ctrl.send(wire.Quit, nil)
	if code := waitExit(t, cmd); code != ExitOK {
		t.Fatalf("exit code %d after Q", code)
	}

	// the control socket closing also ends the worker
	cmd, ctrl, _, _ = startProcess(t, dir, "hello.application", 1)
	ctrl.c.Close()
	if code := waitExit(t, cmd); code != ExitOK {
		t.Fatalf("exit code %d after EOF", code)
	}

	// an import failure: F, then exit 1
	cmd, _, _, failed = startProcess(t, dir, "hello.nothere", 1)
	if !strings.Contains(failed, "No such WSGI application") {
		t.Fatalf("failed: %q", failed)
	}
	if code := waitExit(t, cmd); code != ExitImport {
		t.Fatalf("exit code %d after an import failure", code)
	}
}

package pidfile

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A copy of this test binary stands in for a live gowsgi: it runs the same
// executable, which is what Running looks for. It waits for stdin to close.
const helperEnv = "GOWSGI_PIDFILE_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startProcess starts cmd and stops it (by PID) when the test ends.
func startProcess(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd.Process.Pid
}

func startSelf(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
	return startProcess(t, cmd)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCreateWritesAtomicallyAndRemoveOnlyOurs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gowsgi.pid")
	if err := Create(path, os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path); err != nil || got != os.Getpid() {
		t.Fatalf("Read = %d, %v; want %d", got, err, os.Getpid())
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	umask := syscall.Umask(0) // no other goroutine creates files meanwhile
	syscall.Umask(umask)
	if want := os.FileMode(0o644 &^ umask); info.Mode().Perm() != want {
		t.Errorf("pidfile mode %v, want %v (0644 within the umask, like any created file)", info.Mode().Perm(), want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want just the pidfile (no temp file left)", len(entries))
	}
	// Our own PID in the file is not "another gowsgi".
	if pid, err := Running(path); pid != 0 || err != nil {
		t.Errorf("Running on our own pidfile = %d, %v", pid, err)
	}
	if err := Create(path, os.Getpid()); err != nil {
		t.Errorf("rewriting our own pidfile: %v", err)
	}

	// Someone else's PID in the file: not ours to remove.
	writeFile(t, path, "1\n")
	if err := Remove(path, os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Remove deleted a pidfile holding another PID: %v", err)
	}
	writeFile(t, path, strconv.Itoa(os.Getpid()))
	if err := Remove(path, os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Remove left our own pidfile: %v", err)
	}
	if err := Remove(path, os.Getpid()); err != nil {
		t.Errorf("Remove of a missing pidfile: %v", err)
	}
}

func TestCreateRefusesALiveGowsgi(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gowsgi.pid")
	other := startSelf(t)
	writeFile(t, path, strconv.Itoa(other)+"\n")

	if pid, err := Running(path); pid != other || err != nil {
		t.Errorf("Running = %d, %v; want %d", pid, err, other)
	}
	err := Create(path, os.Getpid())
	var re *RunningError
	if !errors.As(err, &re) || re.PID != other {
		t.Fatalf("Create beside a live gowsgi: %v", err)
	}
	if want := "another gowsgi is running, PID " + strconv.Itoa(other); !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
	if got, _ := Read(path); got != other {
		t.Errorf("the live server's pidfile was overwritten: %d", got)
	}
}

func TestStalePidfilesAreReplaced(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("zombies and other programs are told apart through /proc")
	}
	dir := t.TempDir()

	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	// A zombie has exited: nobody has reaped it yet (init may never).
	zombieCmd := exec.Command("true")
	zpid := startProcess(t, zombieCmd)
	deadline := time.Now().Add(10 * time.Second)
	for !zombie(zpid) {
		if time.Now().After(deadline) {
			t.Fatalf("PID %d did not become a zombie", zpid)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A live process that is not gowsgi: the PID was reused.
	sleeper := startProcess(t, exec.Command("sleep", "60"))

	for name, content := range map[string]string{
		"exited":     strconv.Itoa(exited.Process.Pid),
		"zombie":     strconv.Itoa(zpid),
		"not gowsgi": strconv.Itoa(sleeper) + "\n",
		"garbage":    "not a pid",
		"empty":      "",
	} {
		path := filepath.Join(dir, "gowsgi.pid")
		writeFile(t, path, content)
		if pid, err := Running(path); pid != 0 || err != nil {
			t.Errorf("%s: Running = %d, %v; want 0", name, pid, err)
		}
		if err := Create(path, os.Getpid()); err != nil {
			t.Errorf("%s: Create: %v", name, err)
		}
		if got, _ := Read(path); got != os.Getpid() {
			t.Errorf("%s: pidfile holds %d after Create", name, got)
		}
	}
	if !Alive(sleeper) || Alive(zpid) || Alive(exited.Process.Pid) {
		t.Errorf("Alive: sleep %v, zombie %v, exited %v", Alive(sleeper), Alive(zpid), Alive(exited.Process.Pid))
	}
}

func TestUnreadablePidfileIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gowsgi.pid")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Running(path); err == nil {
		t.Error("Running on a directory: no error")
	}
	if err := Create(path, os.Getpid()); err == nil {
		t.Error("Create over a directory: no error")
	}
	if err := Create(filepath.Join(dir, "missing", "gowsgi.pid"), os.Getpid()); err == nil {
		t.Error("Create in a missing directory: no error")
	}
}

package reaper

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// Start runs this test binary as the helper.
	if len(os.Args) > 1 && os.Args[1] == Arg {
		os.Exit(Serve())
	}
	os.Exit(m.Run())
}

func TestReadGroups(t *testing.T) {
	got := readGroups(strings.NewReader("+100\n+200\n-100\n+300\nbogus\n+1\n+x\n-\n+400"))
	if want := map[int]bool{200: true, 300: true, 400: true}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// group starts `sh -c 'sleep 60 & sleep 60 & wait'` in a process group of
// its own, as a worker with the children its app started, and returns the
// group id. Everything in it is killed by PID when the test ends.
func group(t *testing.T) (pgid int, leader *exec.Cmd) {
	t.Helper()
	cmd := exec.Command("sh", "-c", "sleep 60 & sleep 60 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid = cmd.Process.Pid
	t.Cleanup(func() {
		for _, pid := range members(pgid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for len(members(pgid)) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the group did not start its two sleeps: %v", members(pgid))
		}
		time.Sleep(5 * time.Millisecond)
	}
	return pgid, cmd
}

// members returns the running processes of group pgid, from /proc (zombies
// have exited: nobody may reap an orphan here).
func members(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func waitEmpty(t *testing.T, pgid int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for len(members(pgid)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("group %d still has %v after %s", pgid, members(pgid), timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEndGroup: once the leader (the worker) is gone, EndGroup ends what it
// left in its group.
func TestEndGroup(t *testing.T) {
	pgid, leader := group(t)
	leader.Process.Kill()
	leader.Wait()
	if n := len(members(pgid)); n != 2 {
		t.Fatalf("the group should still hold the two sleeps, holds %d", n)
	}
	EndGroup(pgid)
	waitEmpty(t, pgid, 5*time.Second)
}

// TestHelperKillsWhatIsListed: when the pipe to the helper closes, as it
// does when gowsgi dies however it dies, the helper kills the groups still
// listed, and only those.
func TestHelperKillsWhatIsListed(t *testing.T) {
	if err := Start(); err != nil {
		t.Fatal(err)
	}
	helperPID := helper.Process.Pid
	listed, _ := group(t)
	forgotten, _ := group(t)
	Track(listed)
	Track(forgotten)
	send('-', forgotten)
	Stop() // closes the pipe and waits for the helper
	if p, err := os.FindProcess(helperPID); err == nil && p.Signal(syscall.Signal(0)) == nil {
		t.Errorf("the helper %d is still running after Stop", helperPID)
	}
	waitEmpty(t, listed, 5*time.Second)
	if n := len(members(forgotten)); n != 3 {
		t.Errorf("the group taken off the list lost processes: %d of 3 left", n)
	}
}

package pool

import "syscall"

// workerProcAttr puts a worker in its own process group (so stopping it
// stops whatever the app started too) and kills it if gowsgi dies.
func workerProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

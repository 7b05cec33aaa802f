//go:build !linux

package pool

import "syscall"

// workerProcAttr puts a worker in its own process group, so stopping it
// stops whatever the app started too. (Workers also exit when their control
// socket closes, which covers gowsgi dying where Pdeathsig does not exist.)
func workerProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

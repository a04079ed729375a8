package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockDataDir holds an exclusive lock on <dir>/cognate.lock for the life of
// the process. The SQLite store's group committer and caches assume it is
// the database's only writer, so a second server on the same data dir must
// not start; the lock dies with the process, even on SIGKILL.
func lockDataDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "cognate.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder, _ := os.ReadFile(path)
			return nil, fmt.Errorf("data dir %s is in use by another cognate serve (pid %s); one server per SQLite data dir: "+
				"stop that one, give this one another --data-dir, or share state between replicas with --database-url",
				dir, strings.TrimSpace(string(holder)))
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

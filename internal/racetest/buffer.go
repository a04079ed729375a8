package racetest

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that concurrent writers may share: a server's
// or an emulator's log that the test reads while they still write.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package server

import (
	"maps"
	"slices"
)

// OperationNames is the operation table's keys, for the conformance test
// in package server_test: an implemented operation it has no case for
// fails it.
func (s *Server) OperationNames() []string { return slices.Sorted(maps.Keys(s.operations())) }

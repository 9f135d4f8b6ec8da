package db

import (
	"reflect"
	"testing"
)

func TestInList(t *testing.T) {
	marks, args := InList([]int64{7, 3, 9})
	if marks != "?, ?, ?" || !reflect.DeepEqual(args, []any{int64(7), int64(3), int64(9)}) {
		t.Errorf("InList = %q %v", marks, args)
	}
	if marks, args := InList([]int64{1}); marks != "?" || len(args) != 1 {
		t.Errorf("InList of one = %q %v", marks, args)
	}
}

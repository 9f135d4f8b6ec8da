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
	if marks, args := InList([]string{"draft", "published"}); marks != "?, ?" || !reflect.DeepEqual(args, []any{"draft", "published"}) {
		t.Errorf("InList of strings = %q %v", marks, args)
	}
	if got := Marks(4); got != "?, ?, ?, ?" {
		t.Errorf("Marks(4) = %q", got)
	}
}

// The functions that the sprintf rule rewrites into gen.go. One call each: a candidate of the rule.

//lint:file-ignore S1025 this file is the reference that FuzzSprintf compares the rule's rewrites with: every fmt call in it is on purpose, even where a conversion would do.

package sprintfdiff

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

func Dec(i int, i8 int8, i16 int16, i32 int32, i64 int64, mi MyInt) string {
	return fmt.Sprintf("<%d|%d|%d|%d|%d|%d>", i, i8, i16, i32, i64, mi)
}

func DecU(u uint, u8 uint8, u16 uint16, u32 uint32, u64 uint64, up uintptr, mu MyUint) string {
	return fmt.Sprintf("<%d|%d|%d|%d|%d|%d|%d>", u, u8, u16, u32, u64, up, mu)
}

func HexI(i int, i8 int8, i64 int64, mi MyInt) string {
	return fmt.Sprintf("%x,%x,%x,%x.", i, i8, i64, mi)
}

func HexU(u uint, u8 uint8, u64 uint64, up uintptr, mu MyUint) string {
	return fmt.Sprintf("%x,%x,%x,%x,%x.", u, u8, u64, up, mu)
}

func Vals(i int, u uint64, b bool, s string, ms MyStr, mb MyBool, mi MyInt) string {
	return fmt.Sprintf("v=%v %v %v %v %v %v %v", i, u, b, s, ms, mb, mi)
}

func Bools(b bool, mb MyBool) string {
	return fmt.Sprintf("%t/%t", b, mb)
}

func Strs(s string, ms MyStr, b []byte, r Raw) string {
	return fmt.Sprintf("[%s][%s][%s][%s]", s, ms, b, r)
}

func Quotes(s string, ms MyStr) string {
	return fmt.Sprintf("%q=%q", s, ms)
}

func HexS(s string, ms MyStr, b []byte, r Raw) string {
	return fmt.Sprintf("%x:%x:%x:%x", s, ms, b, r)
}

func HexUpper(s string, ms MyStr, b []byte, r Raw) string {
	return fmt.Sprintf("%X:%X:%X:%X", s, ms, b, r)
}

func Percent(i int) string {
	return fmt.Sprintf("%%%d%% of 100%%", i)
}

func Sprint(i int, s string, b bool, ms MyStr, u uint8) string {
	return fmt.Sprint(i, i, s, b, ms, u, b, s, s, i)
}

func SprintStrings(s string, ms MyStr) string {
	return fmt.Sprint(s, ms, s)
}

func Concat(s string, ms MyStr) string {
	return fmt.Sprintf("a%sb%vc%%", s, ms)
}

func Consts(i int) string {
	return fmt.Sprintf("%d %s %q %x %X %t %v %d", -42, "k\n", "q\"", -255, "hi", true, uint8(7), i)
}

func OneInt(i int) string {
	return fmt.Sprintf("%d", i)
}

func OneInt8(i int8) string {
	return fmt.Sprintf("%d", i)
}

func OneMyInt(mi MyInt) string {
	return fmt.Sprintf("%v", mi)
}

func OneUint(u uint32) string {
	return fmt.Sprintf("%d", u)
}

func OneHexI(i int64) string {
	return fmt.Sprintf("%x", i)
}

func OneHexU(u uint) string {
	return fmt.Sprintf("%x", u)
}

func OneStr(ms MyStr) string {
	return fmt.Sprintf("%s", ms)
}

func OneBytes(b []byte) string {
	return fmt.Sprintf("%s", b)
}

func OneQuote(s string) string {
	return fmt.Sprintf("%q", s)
}

func OneBool(mb MyBool) string {
	return fmt.Sprintf("%t", mb)
}

func OneHexBytes(b []byte) string {
	return fmt.Sprintf("%x", b)
}

func OneHexStr(s string) string {
	return fmt.Sprintf("%x", s)
}

func OneSprint(i int64) string {
	return fmt.Sprint(i)
}

func ToBuffer(w *bytes.Buffer, i int, s string, b bool) {
	fmt.Fprintf(w, "i=%d s=%q b=%t;", i, s, b)
}

func ToBufferBytes(w *bytes.Buffer, s string, b []byte) {
	fmt.Fprintf(w, "%s|%s|%x", s, b, b)
}

func ToLocalBuffer(i int64, s string) string {
	var b bytes.Buffer
	b.WriteString("pre ")
	fmt.Fprintf(&b, "%d %q", i, s)
	return b.String()
}

func ToBuilder(u uint64, s string) string {
	var sb strings.Builder
	sb.WriteString("pre ")
	fmt.Fprintf(&sb, "%d %X", u, s)
	sb.WriteString(fmt.Sprintf("(%s)", s))
	return sb.String()
}

func WriteHex(w *bytes.Buffer, s string) {
	w.WriteString(fmt.Sprintf("%X-%x", s, s))
}

func AppendTo(dst []byte, s string, i int, b bool) []byte {
	dst = append(dst, fmt.Sprintf("%s=%d,%t;", s, i, b)...)
	return dst
}

func Slice(s string) string {
	return fmt.Sprintf("x%s", s)[1:]
}

func Deref(p *string) string {
	return fmt.Sprintf("%s", *p)[0:]
}

func Names(buf, out int, c string) string {
	return fmt.Sprintf("%d %d %X", buf, out, c)
}

var hook func() string

func InSwitch(i int, s string) string {
	switch {
	case i < 0:
		return fmt.Sprintf("neg %d %s", i, s)
	}
	hook = func() string { return fmt.Sprintf("<%d>", i) }
	return "(" + fmt.Sprintf("%s|%s", s, s) + ")" + hook()
}

func Assign(i int, s string) string {
	m := map[string]string{}
	m[s] = fmt.Sprintf("%d", i) + "!"
	m["k"] = fmt.Sprintf("%d=%s", i, s)
	v := struct{ A, B string }{A: fmt.Sprintf("%d/%d", i, i), B: s}
	return m[s] + m["k"] + v.A + v.B
}

func ToBufferAliased(w *bytes.Buffer, s string) {
	tmp := append(w.AvailableBuffer(), s...)
	fmt.Fprintf(w, "<%s|%d>", string(tmp), len(tmp))
}

func AppendAliased(dst []byte, s string) []byte {
	tail := append(dst, s...)[len(dst):]
	dst = append(dst, fmt.Sprintf("<%s|%d>", string(tail), len(tail))...)
	return dst
}

func ToBufio(w *bufio.Writer, i int, s string, b bool) {
	fmt.Fprintf(w, "i=%d s=%s b=%t;", i, s, b)
}

func ToBufioResult(w *bufio.Writer, s string, u uint64) (int, error) {
	return fmt.Fprintf(w, "<%s|%x>", s, u)
}

func ToBufioIf(w *bufio.Writer, s string, i int) error {
	if _, err := fmt.Fprintf(w, "%q:%d\n", s, i); err != nil {
		return err
	}
	return nil
}

func ToChunks(c *Chunks, s string, i int64, b []byte) (int, error) {
	n, err := fmt.Fprintf(c, "[%s %d %x %s]", s, i, b, b)
	return n, err
}

func AppendKV(dst []byte, k string, v int) []byte {
	return append(dst, fmt.Sprintf("%s=%d;", k, v)...)
}

func ToBuilderParam(sb *strings.Builder, s string, i int8, u uint64, b bool, raw Raw) {
	fmt.Fprintf(sb, "%s:%d:%x:%t:%s:%v", s, i, u, b, raw, MyStr(s))
}

type pair struct {
	K string
	V int
}

func LocalPanicky(p *pair, q *pair) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s=%d,%s=%x", p.K, p.V, q.K, q.V)
	return b.String()
}

func NewBuilder(s string, u uint16) string {
	b := new(strings.Builder)
	fmt.Fprintf(b, "<%s|%d>", s, u)
	return b.String()
}

func ToBufferHex(w *bytes.Buffer, s string, ms MyStr) {
	fmt.Fprintf(w, "%x-%x-%q", s, ms, ms)
}

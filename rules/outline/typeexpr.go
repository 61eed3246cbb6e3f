package outline

import (
	"fmt"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"
)

// typeExpr writes t as a type expression of package pkg; imported names carry their path for the
// restorer, which qualifies them and adds the import.
func typeExpr(t types.Type, pkg *types.Package) (dst.Expr, error) {
	switch t := t.(type) {
	case *types.Basic:
		switch {
		case t.Kind() == types.UnsafePointer:
			return &dst.Ident{Name: "Pointer", Path: "unsafe"}, nil
		case t.Info()&types.IsUntyped != 0:
			return nil, fmt.Errorf("is untyped")
		}
		return dst.NewIdent(t.Name()), nil
	case *types.Alias:
		return namedExpr(t.Obj(), t.TypeArgs(), pkg)
	case *types.Named:
		return namedExpr(t.Obj(), t.TypeArgs(), pkg)
	case *types.TypeParam:
		return dst.NewIdent(t.Obj().Name()), nil
	case *types.Pointer:
		x, err := typeExpr(t.Elem(), pkg)
		return &dst.StarExpr{X: x}, err
	case *types.Slice:
		x, err := typeExpr(t.Elem(), pkg)
		return &dst.ArrayType{Elt: x}, err
	case *types.Array:
		x, err := typeExpr(t.Elem(), pkg)
		return &dst.ArrayType{Len: &dst.BasicLit{Kind: token.INT, Value: strconv.FormatInt(t.Len(), 10)}, Elt: x}, err
	case *types.Map:
		k, err := typeExpr(t.Key(), pkg)
		if err != nil {
			return nil, err
		}
		v, err := typeExpr(t.Elem(), pkg)
		return &dst.MapType{Key: k, Value: v}, err
	case *types.Chan:
		x, err := typeExpr(t.Elem(), pkg)
		dir := dst.SEND | dst.RECV
		switch t.Dir() {
		case types.SendOnly:
			dir = dst.SEND
		case types.RecvOnly:
			dir = dst.RECV
		}
		return &dst.ChanType{Dir: dir, Value: x}, err
	case *types.Signature:
		if t.TypeParams() != nil {
			return nil, fmt.Errorf("is generic")
		}
		params, err := fieldList(t.Params(), t.Variadic(), pkg)
		if err != nil {
			return nil, err
		}
		results, err := fieldList(t.Results(), false, pkg)
		if err != nil {
			return nil, err
		}
		ft := &dst.FuncType{Func: true, Params: params}
		if results != nil && len(results.List) > 0 {
			ft.Results = results
		}
		return ft, nil
	case *types.Struct:
		st := &dst.StructType{Fields: &dst.FieldList{}}
		for i := 0; i < t.NumFields(); i++ {
			fv := t.Field(i)
			x, err := typeExpr(fv.Type(), pkg)
			if err != nil {
				return nil, err
			}
			field := &dst.Field{Type: x}
			if !fv.Embedded() {
				field.Names = []*dst.Ident{dst.NewIdent(fv.Name())}
			}
			if tag := t.Tag(i); tag != "" {
				field.Tag = &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(tag)}
			}
			st.Fields.List = append(st.Fields.List, field)
		}
		return st, nil
	case *types.Interface:
		if t.NumMethods() == 0 && t.NumEmbeddeds() == 0 {
			return &dst.InterfaceType{Methods: &dst.FieldList{}}, nil
		}
	}
	return nil, fmt.Errorf("cannot be written outside the function")
}

func namedExpr(obj *types.TypeName, targs *types.TypeList, pkg *types.Package) (dst.Expr, error) {
	var x dst.Expr
	switch {
	case obj.Pkg() == nil:
		x = dst.NewIdent(obj.Name()) // error, any, comparable
	case obj.Parent() != obj.Pkg().Scope():
		return nil, fmt.Errorf("is declared inside a function")
	case obj.Pkg() == pkg:
		x = dst.NewIdent(obj.Name())
	case !obj.Exported():
		return nil, fmt.Errorf("is unexported in %s", obj.Pkg().Path())
	default:
		x = &dst.Ident{Name: obj.Name(), Path: obj.Pkg().Path()}
	}
	if targs == nil || targs.Len() == 0 {
		return x, nil
	}
	var idx []dst.Expr
	for i := 0; i < targs.Len(); i++ {
		a, err := typeExpr(targs.At(i), pkg)
		if err != nil {
			return nil, err
		}
		idx = append(idx, a)
	}
	if len(idx) == 1 {
		return &dst.IndexExpr{X: x, Index: idx[0]}, nil
	}
	return &dst.IndexListExpr{X: x, Indices: idx}, nil
}

func fieldList(tup *types.Tuple, variadic bool, pkg *types.Package) (*dst.FieldList, error) {
	fl := &dst.FieldList{}
	for i := 0; i < tup.Len(); i++ {
		t := tup.At(i).Type()
		var x dst.Expr
		var err error
		if variadic && i == tup.Len()-1 {
			var elt dst.Expr
			elt, err = typeExpr(t.(*types.Slice).Elem(), pkg)
			x = &dst.Ellipsis{Elt: elt}
		} else {
			x, err = typeExpr(t, pkg)
		}
		if err != nil {
			return nil, err
		}
		fl.List = append(fl.List, &dst.Field{Type: x})
	}
	return fl, nil
}

// typesFuncName is diag.FuncName for a function known by its type.
func typesFuncName(fn *types.Func) string {
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return fn.Name()
	}
	t, star := recv.Type(), false
	if p, ok := t.(*types.Pointer); ok {
		t, star = p.Elem(), true
	}
	name := ""
	if n, ok := t.(*types.Named); ok {
		name = n.Obj().Name()
		if n.TypeParams() != nil || n.TypeArgs() != nil {
			name += "[...]"
		}
	}
	if star {
		return "(*" + name + ")." + fn.Name()
	}
	return name + "." + fn.Name()
}

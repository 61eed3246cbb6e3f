module example.com/symtab

go 1.26

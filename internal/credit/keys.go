package credit

// ErrOtherKeys is BindKeys' refusal: the store's data was written under
// another master key.
var ErrOtherKeys = Errorf(ECONFLICT,
	"数据库中的数据是用另一把主密钥写入的：数据目录下的 keys/master.key 与数据库不符，请换回写入这些数据的密钥文件（各节点须使用同一密钥）",
	"the database was written under another master key: keys/master.key in the data directory does not match it; put back the key file the data was written with (every node must use the same key)")

package wire

// InclusionProof proves that the event Seq is leaf Seq-1 of the tree of
// TreeSize leaves; hashes are standard base64, as in RFC 6962.
type InclusionProof struct {
	Seq       int64    `json:"seq"`
	LeafIndex int64    `json:"leaf_index"`
	TreeSize  int64    `json:"tree_size"`
	LeafHash  string   `json:"leaf_hash"`
	Hashes    []string `json:"hashes"`
}

// ConsistencyProof proves that the tree of From leaves is a prefix of the
// tree of To leaves.
type ConsistencyProof struct {
	From   int64    `json:"from"`
	To     int64    `json:"to"`
	Hashes []string `json:"hashes"`
}

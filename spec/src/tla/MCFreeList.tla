------------------------------ MODULE MCFreeList ------------------------------
(* 17 frames in two runs with a hole at frame 8; blocks of 1, 2 or 3 frames, at most 3 held. *)
EXTENDS FreeList

MCRuns == {[base |-> 0, len |-> 8], [base |-> 9, len |-> 9]}
=============================================================================

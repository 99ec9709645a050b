----------------------------- MODULE MCBootstrap -----------------------------
(* TLC model of Bootstrap: 20 frames, a firmware map of 5 entries in half frames:      *)
(*   [0, 8)   usable      frames 0-3 (0-1 are low memory, carved out)                 *)
(*   [8, 10)  reserved    frame 4                                                      *)
(*   [10, 25) usable      ends mid-frame: frames 5-11 (5-6 kernel image, 7 boot info)  *)
(*   [25, 28) ACPI        starts mid-frame: frames 12 (half usable) and 13             *)
(*   [30, 40) usable      frames 15-19; frame 14 is a hole (no entry)                  *)
(* Two metadata pages in one table the loader did not build, two VMM pages in another.*)
EXTENDS Bootstrap

MCRegions == << [lo |-> 0, hi |-> 8, type |-> "usable"],
                [lo |-> 8, hi |-> 10, type |-> "reserved"],
                [lo |-> 10, hi |-> 25, type |-> "usable"],
                [lo |-> 25, hi |-> 28, type |-> "acpi"],
                [lo |-> 30, hi |-> 40, type |-> "usable"] >>
\* low memory, kernel image, boot info
MCCarved == {0, 1, 5, 6, 7}
\* Tight: also carve out most usable memory, leaving frames 10 and 11: the metadata run fits, its table not.
MCCarvedTight == {0, 1, 2, 3, 5, 6, 7, 8, 9, 15, 16, 17, 18, 19}
MCEarly == {"k1", "k2"}
MCMeta == <<"m1", "m2">>
MCVmm == {"v1", "v2"}
MCDir(p) == CASE p \in MCEarly -> "dk" [] p \in {"m1", "m2"} -> "dm" [] OTHER -> "dv"
=============================================================================

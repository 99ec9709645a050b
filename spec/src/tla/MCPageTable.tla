----------------------------- MODULE MCPageTable -----------------------------
(* 2 levels of 4 entries (16 pages); the client uses 4 pages under 3 top entries, two data frames, *)
(* read-only or writable; 2 table frames, so mapping the third leaf table runs out.              *)
EXTENDS PageTable

MCVAs == {<<0, 0>>, <<0, 3>>, <<1, 2>>, <<3, 1>>}
=============================================================================

--------------------------- MODULE MCVirtualLayout ---------------------------
(* Pages 0-7: direct map of 8 frames; 8-13: vmalloc (the flawed config: 5-10, inside the direct map); *)
(* 14-21: heap + MMIO region with a one-page guard. *)
EXTENDS VirtualLayout
=============================================================================

--------------------------- MODULE MCVirtualLayout ---------------------------
(* Pages 0-15: direct map of 16 frames; 16-21: vmalloc (the flawed config: 12-17, inside the direct map); *)
(* 22-29: heap + MMIO region with a one-page guard. *)
EXTENDS VirtualLayout
=============================================================================

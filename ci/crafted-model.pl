#!/usr/bin/perl
# Independent model of a crafted-map boot (verimem.mmap=base:len:type,...), written from the rules the kernel
# documents, not from its code: what the kernel must print for the map, or the panic it must end in.
#   1. the firmware's raw map (the log's "mmap:" lines, themselves checked against QEMU's layout) is reduced to
#      its usable RAM: usable entries minus every other entry, touching pieces joined, shrunk to whole pages;
#   2. each crafted entry: a usable one that the sanitiser keeps (non-empty, no 2^64 wrap, starting below 2^52;
#      ends clipped to 2^52) is cut to its intersection with that RAM; everything else goes on unchanged;
#   3. the crafted map is sanitised the same way (any other type beats usable), and the low 1 MiB, the kernel
#      image and the boot info are carved out (rounded outwards to pages).
# Usage: crafted-model.pl SPEC LOG KERNEL_START KERNEL_END INFO_START INFO_END
# Prints "panic USABLE MESSAGE" (USABLE "-" when the option itself is malformed) or "ok USABLE CARVED RUNS":
# USABLE the frames left after the carve-outs, CARVED the usable frames the carve-outs took, RUNS the RAM the
# direct map covers ("start-end,..." in hex: usable pages before the carve-outs, touching ones joined).
use strict;
use warnings;
no warnings 'portable';
use bigint;   # 64-bit unsigned ends and 2^64 wraps without surprises

my ($spec, $log, $ks, $ke, $is, $ie) = @ARGV;
my $PAGE = 4096; my $MAX_PHYS = 2**52; my $TWO64 = 2**64; my $MIB = 2**20;
($ks, $ke, $is, $ie) = map { Math::BigInt->new($_) } ($ks, $ke, $is, $ie);

# [[s, e], ...] sorted and joined where they touch or overlap
sub union { my @r = sort { $a->[0] <=> $b->[0] } grep { $_->[1] > $_->[0] } @_; my @o;
  for (@r) { if (@o && $_->[0] <= $o[-1][1]) { $o[-1][1] = $_->[1] if $_->[1] > $o[-1][1] } else { push @o, [@$_] } }
  return @o; }
sub minus { my ($a, $b) = @_; my @out;
  for my $x (@$a) { my @pieces = ([@$x]);
    for my $y (@$b) { @pieces = map { my ($s, $e) = @$_;
        ($y->[1] <= $s || $y->[0] >= $e) ? ([$s, $e]) : (grep { $_->[1] > $_->[0] } [$s, $y->[0]], [$y->[1], $e]) } @pieces }
    push @out, @pieces }
  return union(@out); }
sub pages { map { [($_->[0] + $PAGE - 1) / $PAGE * $PAGE, $_->[1] / $PAGE * $PAGE] } @_ }
sub usable_ram {   # entries [s, e, type] (already kept and clipped) -> page-shrunk usable ranges
  my @u = union(map { [$_->[0], $_->[1]] } grep { $_->[2] == 1 } @_);
  my @other = union(map { [$_->[0], $_->[1]] } grep { $_->[2] != 1 } @_);
  return grep { $_->[1] > $_->[0] } pages(minus(\@u, \@other)); }
sub kept { my ($s, $e) = @_; return $s < $MAX_PHYS && $e > $s; }   # e is base + len without wrapping mod 2^64
sub clip { my $e = shift; return $e > $MAX_PHYS ? $MAX_PHYS : $e; }

open my $fh, '<', $log or die "crafted-model: $log: $!";
my @fw;
while (<$fh>) {
  s/\r//;
  next unless /^mmap: base=0x([0-9a-f]+) len=0x([0-9a-f]+) type=(\d+)$/;
  my ($b, $l) = (Math::BigInt->from_hex($1), Math::BigInt->from_hex($2));
  push @fw, [$b, $b + $l, $3 + 0];   # a firmware entry past 2^64 is not kept (end > 2^64 > MAX_PHYS: clipped)
}
my @fw_ram = usable_ram(map { [$_->[0], clip($_->[1]), $_->[2]] } grep { kept($_->[0], $_->[1]) } @fw);

# the option: hex base and len (optional 0x, at most 16 digits), decimal type below 2^32, comma separated
my @crafted;
for my $e (split /,/, $spec, -1) {
  if ($e !~ /^(?:0x)?([0-9a-fA-F]{1,16}):(?:0x)?([0-9a-fA-F]{1,16}):(\d{1,10})$/ || $3 > 4294967295) {
    print "panic - verimem.mmap: malformed crafted memory map\n"; exit 0 }
  my ($b, $l, $t) = (Math::BigInt->from_hex($1), Math::BigInt->from_hex($2), $3 + 0);
  my $end = $b + $l; my $wraps = $end >= $TWO64;
  $t = 2 if $t >= 0x10001 && $t <= 0x10004;   # the kernel's own carve-out codes are never taken from outside
  push @crafted, [$b, $wraps ? $end - $TWO64 : $end, $t, $wraps];
}
my @raw;
for my $c (@crafted) {
  my ($s, $e, $t, $wraps) = @$c;
  my $keep = !$wraps && kept($s, $e);
  if ($t != 1 || !$keep) { push @raw, [$s, $e, $t, !$keep]; next }
  for my $r (@fw_ram) { my $lo = $s > $r->[0] ? $s : $r->[0]; my $hi = clip($e) < $r->[1] ? clip($e) : $r->[1];
    push @raw, [$lo, $hi, 1, 0] if $lo < $hi }
}
my @usable = usable_ram(map { [$_->[0], clip($_->[1]), $_->[2]] } grep { !$_->[3] } @raw);
my @carve = union([0, $MIB], [$ks / $PAGE * $PAGE, ($ke + $PAGE - 1) / $PAGE * $PAGE],
                  [$is / $PAGE * $PAGE, ($ie + $PAGE - 1) / $PAGE * $PAGE]);
my @left = minus(\@usable, \@carve);
my ($total, $left) = (0, 0);
$total += ($_->[1] - $_->[0]) / $PAGE for @usable;
$left += ($_->[1] - $_->[0]) / $PAGE for @left;
if ($left == 0) { print "panic 0 no usable RAM above 1 MiB\n"; exit 0 }
if ($left < 4096) { print "panic $left too little memory\n"; exit 0 }
printf "ok %s %s %s\n", $left, $total - $left, join(',', map { sprintf '%s-%s', $_->[0]->as_hex, $_->[1]->as_hex } union(@usable));

/* Boot stub: multiboot1 (a.out kludge) + multiboot2 headers, then 32-bit protected mode -> long mode with a
 * small early mapping, then the C entry kmain(magic, info_phys). Both loaders enter here in 32-bit protected
 * mode, paging off, eax = magic, ebx = physical address of the boot information. */
#define KERNEL_VMA 0xFFFFFFFF80000000
#define PA(x) ((x) - KERNEL_VMA)
#define PTE_P_W 0x3
#define PDE_2M (0x80 | PTE_P_W)

        .section .multiboot, "a"
        .align 8
mb1_header:                                  /* multiboot1: flags = page-align | mem info | a.out kludge */
        .long 0x1BADB002
        .long 0x00010003
        .long -(0x1BADB002 + 0x00010003)
        .long PA(mb1_header)                 /* header_addr */
        .long PA(_kernel_start)              /* load_addr */
        .long PA(_data_end)                  /* load_end_addr */
        .long PA(_kernel_end)                /* bss_end_addr */
        .long PA(_start32)                   /* entry_addr */
        .align 8
mb2_header:
        .long 0xE85250D6, 0, mb2_end - mb2_header
        .long -(0xE85250D6 + (mb2_end - mb2_header))
        .short 3, 0                          /* entry address tag: the physical 32-bit entry */
        .long 12, PA(_start32)
        .align 8
        .short 0, 0                          /* end tag */
        .long 8
mb2_end:

        .section .text.boot, "ax"
        .code32
        .globl _start32
_start32:
        cli
        cld                                  /* multiboot leaves DF undefined; rep stos and the C ABI need 0 */
        mov %eax, %ebp                       /* keep magic and info across the setup */
        mov %ebx, %esi
        mov $PA(_bss_start), %edi            /* zero .bss: page tables and stack live there */
        mov $PA(_bss_end), %ecx
        sub %edi, %ecx
        shr $2, %ecx
        xor %eax, %eax
        rep stosl
        /* PML4[0] -> identity window (1 GiB of 2 MiB pages); PML4[511] -> PDPT_HI[510] -> kernel image */
        movl $PA(pdpt_lo) + PTE_P_W, PA(pml4)
        movl $PA(pdpt_hi) + PTE_P_W, PA(pml4) + 511 * 8
        movl $PA(pd_lo) + PTE_P_W, PA(pdpt_lo)
        movl $PA(pd_hi) + PTE_P_W, PA(pdpt_hi) + 510 * 8
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $21, %eax
        or $PDE_2M, %eax
        mov %eax, PA(pd_lo)(,%ecx,8)
        inc %ecx
        cmp $512, %ecx
        jne 1b
        xor %ecx, %ecx                       /* kernel image: 2 MiB pages covering [0, _kernel_end) */
2:      mov %ecx, %eax
        shl $21, %eax
        cmp $PA(_kernel_end), %eax
        jae 3f
        or $PDE_2M, %eax
        mov %eax, PA(pd_hi)(,%ecx,8)
        inc %ecx
        jmp 2b
3:      mov $PA(pml4), %eax
        mov %eax, %cr3
        mov %cr4, %eax
        or $0x20, %eax                       /* PAE */
        mov %eax, %cr4
        mov $0xC0000080, %ecx                /* EFER: LME | NXE */
        rdmsr
        or $0x900, %eax
        wrmsr
        mov %cr0, %eax
        or $0x80010001, %eax                 /* PG | WP | PE */
        mov %eax, %cr0
        lgdt PA(gdt_ptr32)
        ljmp $0x08, $PA(start64_low)

        .code64
start64_low:
        movabs $start64, %rax                /* leave the identity window for the -2 GiB image */
        jmp *%rax
start64:
        lgdt gdt_ptr64(%rip)                 /* GDTR must hold the high address once the identity map goes */
        mov $0x10, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        xor %eax, %eax
        mov %eax, %fs
        mov %eax, %gs
        lea stack_top(%rip), %rsp
        mov %ebp, %edi                       /* kmain(magic, info_phys) */
        mov %esi, %esi
        call kmain
4:      cli
        hlt
        jmp 4b

        .section .rodata
        .align 16
gdt:    .quad 0
        .quad 0x00AF9A000000FFFF             /* 0x08: 64-bit code */
        .quad 0x00CF92000000FFFF             /* 0x10: data */
gdt_end:
gdt_ptr32:
        .short gdt_end - gdt - 1
        .long PA(gdt)
        .align 8
gdt_ptr64:
        .short gdt_end - gdt - 1
        .quad gdt

        .section .bss
        .align 4096
pml4:   .skip 4096
pdpt_lo: .skip 4096
pdpt_hi: .skip 4096
pd_lo:  .skip 4096
pd_hi:  .skip 4096
stack:  .skip 65536
stack_top:

        .section .note.GNU-stack, "", @progbits

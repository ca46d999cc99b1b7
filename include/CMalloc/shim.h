#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H

/*
 * glibc's malloc extensions (malloc_trim), which Swift's Glibc module leaves out.
 * The plugin calls malloc_trim once a backlog it held in memory is written
 * (Sources/Plugin/ConnRecorder/HeapRelease.swift). No `link`: they are libc's.
 */

#include <malloc.h>

#endif

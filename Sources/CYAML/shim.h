// libyaml (apt: libyaml-dev), linked statically from libyaml.a (docs/adr/0023): parser and
// emitter events for HLSFormats' own YAML layer. Only HLSFormats imports this module, and only
// `internal`ly.
#ifndef HLSH_CYAML_SHIM_H
#define HLSH_CYAML_SHIM_H

#include <yaml.h>

#endif

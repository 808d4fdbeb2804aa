/* geo/road/import/osm_check.h -- a validating pass over OSM XML before readosm reads it.
 *
 * readosm 1.1 dereferences missing attributes (a <tag> without v, a <member> without role, ...)
 * and crashes. This pass streams the file through expat (the parser readosm itself uses) and
 * rejects any element that lacks an attribute readosm will read, with the line and column, so a
 * bad file is a clear error instead of a crash. Import side only. */
#ifndef KKC_OSM_CHECK_H
#define KKC_OSM_CHECK_H

#include "base/err.h"

/* KKC_OK when every node/way/nd/relation/member/tag element of the OSM XML file at path carries
 * the attributes readosm needs and the XML is well formed; otherwise KKC_EINVAL with
 * "path:line:column: ..." in err (KKC_ENOTFOUND/KKC_EIO when it cannot be read). */
enum kkc_code osm_check_xml(const char *path, struct kkc_err *err);

#endif

// The module map's one header: the system's libyaml. Where it is missing, install it
// (Debian: apt-get install libyaml-dev; scripts/setup does).
#include <yaml.h>

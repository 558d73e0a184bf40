// The module map's one header: the system's libyaml.
#include <yaml.h>

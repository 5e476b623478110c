// Header self-containment: <taskio/spawn.hpp> compiles alone (no PCH), twice.
#include <taskio/spawn.hpp>
#include <taskio/spawn.hpp>

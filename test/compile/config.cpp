// Header self-containment: <taskio/config.hpp> compiles alone (no PCH), twice.
#include <taskio/config.hpp>
#include <taskio/config.hpp>

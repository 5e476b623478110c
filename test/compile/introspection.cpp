// Header self-containment: <taskio/introspection.hpp> compiles alone (no PCH), twice.
#include <taskio/introspection.hpp>
#include <taskio/introspection.hpp>

// The route table: every endpoint crmi serves, with its resource and action, in one place.
#ifndef CRMI_HTTP_ROUTES_H_
#define CRMI_HTTP_ROUTES_H_

#include <vector>

#include "src/http/app.h"
#include "src/http/router.h"

namespace crmi::http {

// REQUIRES: `app` outlives the routes.
std::vector<Route> BuildRoutes(App* app);

// kInternal naming the first route without a resource and action (or a handler): the server
// refuses to start with one, since authorization could not decide on it.
Status ValidateRoutes(const std::vector<Route>& routes);

}  // namespace crmi::http

#endif  // CRMI_HTTP_ROUTES_H_

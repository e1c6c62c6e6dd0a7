// Mounts the vendored GraphiQL (with the explorer plugin) on #graphiql, querying this page's own URL. A file rather
// than an inline script: the page's content security policy allows scripts from the service only. Adapted from
// Strawberry's graphiql.html, without its CDN scripts, cookie-based CSRF token and subscriptions.
"use strict";
(function () {
  const EXAMPLE_QUERY = `# Realign's GraphQL API. The catalogue is public;
# the rest needs a key, sent under Headers:
# {"Authorization": "Bearer rl_live_..."}
#
# Run: Ctrl-Enter or the play button. Complete: Ctrl-Space.

{
  equipment {
    slug
    name
  }
}
`;

  // The query, variables and headers are kept in the URL, so that a link shares them.
  const parameters = {};
  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  }

  function updateURL(data) {
    Object.assign(parameters, data);
    const search = Object.keys(parameters)
      .filter((key) => Boolean(parameters[key]))
      .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
      .join("&");
    history.replaceState(null, "", "?" + search);
  }

  const fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });
  const explorer = GraphiQLPluginExplorer.explorerPlugin();

  function App() {
    const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
    const [variables, setVariables] = React.useState(parameters.variables);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: query,
      variables: variables,
      onEditQuery: (value) => {
        setQuery(value);
        updateURL({ q: value });
      },
      onEditVariables: (value) => {
        setVariables(value);
        updateURL({ variables: value });
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();

// Permanent name labels on grid polygons: each grid's name at the centre of its bounds, as a text node
// (never markup: a name is whatever a community worker typed).
window.jcGridLabels = function (map, layer) {
  "use strict";
  layer.eachLayer(function (polygon) {
    var props = polygon.feature && polygon.feature.properties;
    if (!props || !props.name || !polygon.getBounds) return;
    L.tooltip({ permanent: true, direction: "center", className: "jc-grid-label", interactive: false, opacity: 0.9 })
      .setLatLng(polygon.getBounds().getCenter())
      .setContent(document.createTextNode(props.name))
      .addTo(map);
  });
};

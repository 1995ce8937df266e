/**
 * EdgeX's cursor paging, as the emulator serves it: a page request carries `size` (rows per
 * page) and, after the first page, `offsetData` = the previous answer's `nextPageOffsetData`; the
 * last page answers `nextPageOffsetData: ""` (edgex-python-sdk `edgex_sdk/order/client.py`
 * `get_order_fill_transactions` / `get_history_orders` send `size` and `offsetData`; EdgeX's API
 * docs: "Offset to retrieve the next page. If no next page data, the value will be an empty
 * string"). Rows come newest first. The cursor here is the id of the page's last row, opaque to
 * the client; the venue's own cursor format is not documented and the connector never reads it.
 */
export const MAX_PAGE_SIZE = 100;

export type PageAnswer<T> =
  | { readonly ok: true; readonly dataList: readonly T[]; readonly nextPageOffsetData: string }
  | { readonly ok: false; readonly msg: string };

/** One page of `rows` (oldest first, as stored), newest first, after the row `offsetData` names. */
export function pageOf<T>(rows: readonly T[], q: URLSearchParams, idOf: (row: T) => string): PageAnswer<T> {
  const sizeText = q.get("size") ?? String(MAX_PAGE_SIZE);
  const size = Number(sizeText);
  if (!/^\d+$/.test(sizeText) || size < 1 || size > MAX_PAGE_SIZE)
    return { ok: false, msg: `size ${sizeText}: 1…${MAX_PAGE_SIZE}` };
  const newest = [...rows].reverse();
  const offset = q.get("offsetData") ?? "";
  let start = 0;
  if (offset !== "") {
    const at = newest.findIndex((r) => idOf(r) === offset);
    if (at < 0) return { ok: false, msg: `offsetData ${offset} is not a page cursor of this list` };
    start = at + 1;
  }
  const dataList = newest.slice(start, start + size);
  const more = start + size < newest.length;
  return { ok: true, dataList, nextPageOffsetData: more ? idOf(dataList[dataList.length - 1]) : "" };
}

import { describe, expect, it } from 'vitest';
import { emitTable, parseTable } from './table-source.ts';

describe('parseTable', () => {
  it('reads CSV with quoted cells (a delimiter, a quote, a line break inside), TSV and semicolons', () => {
    const csv = 'name,age,note\nDana,34,"likes ""tea"", and\ncake"\n\nSam,29,x\nAna,41,y\n';
    const t = parseTable(csv);
    expect(t).toMatchObject({ delimiter: ',', header: { cells: ['name', 'age', 'note'] } });
    expect(t?.rows.map((r) => r.cells[2])).toEqual(['likes "tea", and\ncake', 'x', 'y']);
    // Written back as written: the quoted cell byte for byte.
    expect(emitTable(t as NonNullable<typeof t>, new Set([0, 2]))).toBe(
      'name,age,note\nDana,34,"likes ""tea"", and\ncake"\nAna,41,y',
    );
    expect(parseTable('id\tcity\r\n1\tLisbon\r\n2\tPorto\r\n')).toMatchObject({ delimiter: '\t', newline: '\r\n' });
    expect(parseTable('id;city;age\n1;Lisbon;34\n2;Porto;29')?.delimiter).toBe(';');
    // CRLF: rows written back with one line break each (review: "name,city\r\r\nSam,Porto\r").
    const crlf = parseTable('name,city,age\r\nDana,Lisbon,34\r\nSam,Porto,29\r\nAna,Faro,41\r\n');
    expect(emitTable(crlf as NonNullable<typeof crlf>, new Set([1]))).toBe('name,city,age\r\nSam,Porto,29');
    // A quote inside an unquoted cell is a character (a TSV's notes).
    const tsv = 'name\tnotes\nDana\tmet at the "Lisbon" conference, keen on hiking\nSam\tprefers email';
    expect(parseTable(tsv)?.rows.map((r) => r.cells[1])).toEqual([
      'met at the "Lisbon" conference, keen on hiking',
      'prefers email',
    ]);
    expect(parseTable(',item,price (USD)\n0,tea,3.50\n1,cake,4.00')?.header.cells).toEqual(['', 'item', 'price (USD)']);
  });

  it('reads a row a cell off as a row, as written, naming its line; many such rows are no table (review)', () => {
    // Review: one row's extra cell made csv-parse reject the file, and every row was dropped as prose.
    const csv = 'date,desc,amount\n2024-01-01,"Tesco\nExpress",10\n\n2024-01-02,Shell,5,extra\n2024-01-03,Aldi,7\n';
    const t = parseTable(csv);
    expect(t?.rows.map((r) => r.raw)).toEqual([
      '2024-01-01,"Tesco\nExpress",10',
      '2024-01-02,Shell,5,extra',
      '2024-01-03,Aldi,7',
    ]);
    // Line 5: after a quoted cell's line break and a blank line.
    expect(t?.ragged).toEqual([{ line: 5, cells: 4 }]);
    expect(parseTable('a,b,c\n1,2,3\n4,5,6')?.ragged).toEqual([]);
    // 360 rows, one ragged at the 50th: a table still; one row in three ragged: none.
    const rows = Array.from(
      { length: 360 },
      (_, k) => `2024-01-${k},Shop ${k},${k}${k === 49 ? ',note: disputed' : ''}`,
    );
    expect(parseTable(['date,desc,amount', ...rows].join('\n'))?.ragged).toEqual([{ line: 51, cells: 4 }]);
    const many = Array.from({ length: 30 }, (_, k) => `2024-01-${k},Shop ${k},${k}${k % 3 ? '' : ',x'}`);
    expect(parseTable(['date,desc,amount', ...many].join('\n'))).toBeNull();
  });

  it('reads no prose, dialogue or ragged lines as a table', () => {
    expect(
      parseTable('Dana, Sam and Ana went out, then home.\nThey ate, drank, and sang.\nIt rained, a lot.'),
    ).toBeNull();
    expect(parseTable('Dana: Hey, how are you?\nSam: Good, thanks, you?\nDana: Fine, busy.')).toBeNull();
    expect(parseTable('a,b\n1,2')).toBeNull();
    expect(parseTable('a,b,c\n1,2,3\n4,5')).toBeNull();
    expect(parseTable('a,b\n1,"2\n3,4')).toBeNull();
    // Two comma columns, a chat with commas, a Markdown table without outer pipes (review).
    expect(parseTable('Monday, gym\nTuesday, dentist at 3pm\nWednesday, call mom')).toBeNull();
    expect(parseTable('Name | City\n--- | ---\nDana | Lisbon\nSam | Porto')).toBeNull();
    // Code whose lines end in ";" or call with commas: no table.
    expect(parseTable('const add = (a, b) => a + b;\nconst one = 1;\nconsole.log(add(one, 2));')).toBeNull();
    expect(parseTable('x = f(a, b)\ny = g(c, d)\nz = h(e, k)')).toBeNull();
  });
});

describe('parseTable before parsing', () => {
  it('reads a quoted header cell as one and rows whose quoted cells run over lines (review)', () => {
    // Review: a header "Amount, USD" split naively counted 4 cells, rows 3; notes of two or three
    // lines left their rows' other lines short: both were refused before csv-parse saw them.
    const quoted =
      '"Amount, USD",Date,Vendor\n12.50,2024-01-03,Tesco\n8.20,2024-01-04,Lidl\n3299.00,2024-01-05,Apple Store\n';
    expect(parseTable(quoted)?.header.cells).toEqual(['Amount, USD', 'Date', 'Vendor']);
    const notes =
      'id,customer,notes\n1,Acme,"Called on Monday.\nWants a quote by Friday.\nPrefers email."\n2,Globex,"Renewal due in May.\nAsk about the discount."\n3,Initech,"New contact: Bill.\nMeeting booked."\n4,Umbrella,"Paid late twice.\nOn hold."\n';
    expect(parseTable(notes)?.rows).toHaveLength(4);
    // A chat whose first line has a comma is no table, nor one whose lines have two commas now and then.
    expect(parseTable('Session 1 (8 May, 2023): Ana and Ben\nAna: Hi, Ben, how are you?\nBen: Fine.')).toBeNull();
  });
});

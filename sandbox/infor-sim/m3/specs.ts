// Generated from ../shared/reference/m3-fields.md (Infor M3 API v2 swagger field lists, MI builds 64xx).
// PPS200MI/LstReceiptsByPO output lengths are not in that source: chosen from the same codes elsewhere.

/** One input field: code, required, type (A string / N number), length. */
export interface MiInputField {
  name: string;
  required: boolean;
  type: "A" | "N";
  length: number;
  label: string;
}

export interface MiTransactionSpec {
  inputs: MiInputField[];
  /** Output fields in swagger order, "CODE:length" separated by spaces. */
  outputs: string;
}

const i = (
  name: string,
  required: boolean,
  type: "A" | "N",
  length: number,
  label: string,
): MiInputField => ({
  name,
  required,
  type,
  length,
  label,
});

export const MI_SPECS: Record<string, MiTransactionSpec> = {
  "CRS620MI/LstSuppliers": {
    inputs: [
      i("CONO", false, "N", 3, "Company number"),
      i("FRSU", false, "A", 10, "From Supplier"),
      i("TOSU", false, "A", 10, "To Supplier"),
      i("LMTS", false, "N", 18, "Last imports timestamp"),
    ],
    outputs:
      "CONO:3 SUNO:10 SUNM:36 LNCD:2 PHNO:16 CSCD:3 ECAR:2 PNOD:15 SUCL:3 QUCL:2 ORTY:3 TEDL:3 MODL:3 TEAF:3 TEPA:3 DT4T:1 DTCD:1 VTCD:2 TXAP:1 TAXC:3 CUCD:3 CRTP:2 TEPY:3 PYME:3 ATPR:1 ACRF:8 BUYE:10 RESP:10 AGNT:10 ABSK:1 ABSM:1 PWMT:10 DCSM:1 FUSC:3 SPFC:2 COBI:10 SCNO:10 SUGR:10 SHST:1 POOT:3 OUCN:10 TINO:15 PRSU:10 SERS:2 SBPE:1 PACD:1 PTDY:2 SUST:1 DTDY:2 LIDT:10 TECD:3 REGR:3 SUSY:2 SHAC:1 AVCD:3 TAME:1 TDCD:4 IAPT:1 IAPC:1 IAPE:1 IAPF:1 CFI1:10 CFI2:17 CFI3:3 CFI4:5 CFI5:1 CGRP:10 GEOC:9 PPLV:2 CINP:1 SCIS:3 TXIN:1 SUTY:1",
  },
  "CRS620MI/GetBasicData": {
    inputs: [i("SUNO", true, "A", 10, "Supplier number"), i("CONO", false, "N", 3, "Company")],
    outputs:
      "CONO:3 SUNO:10 SUTY:1 SUNM:36 ALSU:10 STAT:2 CORG:11 COR2:11 LNCD:2 PHNO:16 PHN2:16 TLNO:16 TFNO:16 CSCD:3 DTFM:3 EDIT:1 VRNO:16 SUCO:10 SUAL:3 SUCM:20 MEPF:2 PODA:2 SFI1:10 SFI2:8 SFI3:3 SFI4:5 SFI5:1 HAFE:6 TXID:7 ECAR:2 FWSC:4 SUCL:3 QUCL:2 ORTY:3 TEDL:3 MODL:3 TEAF:3 TEPA:3 DT4T:1 DTCD:1 VTCD:2 TXAP:1 TAXC:3 CUCD:3 CRTP:2 TEPY:3 PYME:3 ATPR:1 ACRF:8 BUYE:10 RESP:10 AGNT:10 ABSK:1 ABSM:1 PWMT:10 DCSM:1 FUSC:3 SPFC:2 COBI:10 SCNO:10 SUGR:10 SHST:1 POOT:3 OUCN:10 TINO:15 PRSU:10 SERS:2 SBPE:1 PACD:1 PTDY:2 SUST:1 DTDY:2 LIDT:10 TECD:3 REGR:3 SUSY:2 SHAC:1 AVCD:3 TAME:1 TDCD:4 IAPT:1 IAPC:1 IAPE:1 IAPF:1 CFI1:10 CFI2:17 CFI3:3 CFI4:5 CFI5:1 CGRP:10 RASN:10 PPLV:2 TXI2:13 CINP:1 SCIS:3 TXIN:1 DESV:2 PPIN:1 GEOC:9 ALCS:1",
  },
  "PPS200MI/GetHead": {
    inputs: [
      i("PUNO", true, "A", 10, "Purchase order number"),
      i("CONO", false, "N", 3, "Company"),
    ],
    outputs:
      "CONO:3 PUNO:10 DONR:3 DOVA:2 DATE:10 PUDT:10 DWDT:10 LEDT:10 CONM:36 REVN:2 RENM:36 SUNO:10 CSCD:3 BUYE:10 CUCD:3 TXCU:15 TXPY:15 TXMO:15 TXDL:15 TXAF:15 TXPA:15 TXHA:15 YRE1:36 PHNO:16 TFNO:16 REVV:15 REMK:30 REV1:15 COAM:17 DIVI:3 FACI:3 WHLO:3 ORTY:3 LNCD:2 TEPY:3 MODL:3 TEDL:3 TEAF:3 TEPA:3 RFID:10 TEL1:36 HAFE:6 POTC:2 PYAD:3 MTDP:1 MTWP:1 OURR:10 OURT:1 PRSU:10 AGNT:10 NTAM:17 TOQT:17 SAAM:17 LOCD:3 RASN:10 EXAT:1 FUSC:3 ODAM:17 PROJ:7 ELNO:8 BRAM:17 CMCO:2 NOLN:3",
  },
  "PPS200MI/LstLine": {
    inputs: [
      i("PUNO", true, "A", 10, "Purchase order number"),
      i("CONO", false, "N", 3, "Company"),
    ],
    outputs:
      "CONO:3 PUNO:10 PNLI:3 PNLS:3 ITNO:15 SITE:30 CODT:10 CFQA:17 PUUN:3 ITDS:30 EACD:13 FACI:3 WHLO:3 POTC:2 PUST:2 PUSL:2 SUNO:10 PRCS:3 SUFI:20 PITD:30 PITT:60 SORN:20 PUPR:17 ODI1:7 ODI2:7 ODI3:7 CPPR:17 CFD1:7 CFD2:7 CFD3:7 PPUN:3 PUCD:5 CPUC:5 LNAM:17 PTCD:1 DWDT:10 ORQA:17 ADQA:17 TNQA:17 RVQA:17 RCDT:10 CAQA:17 RJQA:17 SDQA:17 IVQA:17 IDAT:10 PLPN:7 PLPS:3 PURC:10 BUYE:10 GRMT:3 PACT:6 TXID:13 ECVE:4 OURR:10 OURT:1 VTCD:2 ATNR:17 RORC:1 RORN:10 RORL:6 RORX:3 PRIP:1 IRCV:20 PROD:10 SDPC:7 MODL:3 TEDL:3 TEL1:36 HAFE:6 TIHM:4 UNMS:3 ORQT:17 LOCD:3 CUPR:19 PUQT:17 SAAM:17 RVQT:17 CFQT:17 CUCP:19 DUPL:1 DUPO:10 TRRC:1 TRRN:10 TRRL:6 TRRX:3 RASN:10 PIAD:6 SDES:10 CIAD:6 CDES:10 WSCA:6 OWHL:3 OFCI:3 ORAD:6 GETY:2 LNA2:17 CPRD:10",
  },
  "PPS001MI/GetHeadBasic": {
    inputs: [
      i("PUNO", true, "A", 10, "Purchase order number"),
      i("CONO", false, "N", 3, "Company"),
    ],
    outputs:
      "CONO:3 DIVI:3 FACI:3 WHLO:3 PUNO:10 ORTY:3 POTC:2 PUSL:2 SLDT:10 PUST:2 SCDT:10 CMCO:2 PUDT:10 SUNO:10 LNCD:2 CUCD:3 TEPY:3 MODL:3 TEDL:3 TEAF:3 TEPA:3 RFID:10 YRE1:36 DWDT:10 PURC:10 BUYE:10 TFNO:16 TEL1:36 HAFE:6 RASN:10 EXAT:1 FUSC:3",
  },
  "APS450MI/GetHead": {
    inputs: [
      i("INBN", true, "N", 10, "Invoice batch number"),
      i("DIVI", false, "A", 3, "Division"),
    ],
    outputs:
      "IBTP:2 SUPA:2 BIST:1 IBHE:1 IBLE:1 SINO:24 SPYN:10 SUNO:10 IVDT:10 CUCD:3 ARAT:13 TEPY:3 PYME:3 TDCD:4 CUAM:17 VTAM:17 VONO:8 VSER:3 ACDT:10 APCD:10 IMCD:1 SERS:2 DUDT:10 FECN:10 CRTP:2 FTCO:3 BSCD:3 TLNA:17 TCHG:17 TOPA:17 PUNO:10 PUDT:10 TECD:3 CDT1:10 CDP1:6 CDC1:17 CDT2:10 CDP2:6 CDC2:17 CDT3:10 CDP3:6 CDC3:17 TTXA:17 TASD:17 PRPA:17 VRNO:16 TXAP:1 DNCO:3 SUAC:1 SBAD:1 UPBI:1 SDAP:3 DNRE:8 PYAD:3 SDA1:60 SDA2:60 SDA3:60 EALP:17 EALR:17 EALS:17 DEDA:10 ADAB:17 AAPD:10 CRNO:30 YRE1:36 SCRE:2 RPAA:1 REJD:10 RGDT:10 LMDT:10 BKID:5 GEOC:9 TXIN:1 DNOI:24 OYEA:4 PPYR:45 PPYN:15 YEA4:4 CORI:36 FRSC:10 FAGN:10 EORN:30",
  },
  "APS450MI/LstLines": {
    inputs: [
      i("INBN", true, "N", 10, "Invoice batch number"),
      i("DIVI", false, "A", 3, "Division"),
      i("TRNO", false, "N", 7, "Transaction number"),
    ],
    outputs:
      "TRNO:7 RDTP:2 IBLE:1 SERS:2 NLAM:17 ADAB:17 CUCD:3 VTA1:17 VTA2:17 VTCD:2 PUNO:10 PNLI:3 PNLS:3 IVQA:17 PUUN:3 GRPR:19 PPUN:3 NEPR:19 PUCD:5 GLAM:17 DIPC:7 DIAM:17 IVCW:17 ITNO:15 POPN:30 SBAN:10 CDSE:4 CEID:6 REPN:10 RELP:1 SUDO:20 DNDT:10 RGDT:10 LMDT:10 VTP1:7 VTP2:7 CINO:15 INYR:4",
  },
  "APS450MI/LstInvBySupInv": {
    inputs: [
      i("SPYN", true, "A", 10, "Payee"),
      i("SUNO", true, "A", 10, "Supplier"),
      i("SINO", true, "A", 24, "Supplier invoice number"),
      i("DIVI", false, "A", 3, "Division"),
    ],
    outputs: "INBN:10 IBTP:2 SUPA:2",
  },
  "APS450MI/LstInvBatchNo": {
    inputs: [
      i("SPYN", true, "A", 10, "Payee"),
      i("DIVI", false, "A", 3, "Division"),
      i("SUNO", false, "A", 10, "Supplier"),
      i("IBTP", false, "A", 2, "Invoice batch type"),
      i("SUPA", false, "N", 2, "Invoice status"),
      i("INBN", false, "N", 10, "Invoice batch number"),
    ],
    outputs: "INBN:10 SUNO:10 SINO:24 IBTP:2 SUPA:2",
  },
  "APS200MI/GetInvoice": {
    inputs: [
      i("YEA4", true, "N", 4, "Year"),
      i("JRNO", true, "N", 7, "Journal number"),
      i("JSNO", true, "N", 7, "Journal sequence number"),
      i("CONO", false, "N", 3, "Company"),
      i("DIVI", false, "A", 3, "Division"),
    ],
    outputs:
      "CONO:3 DIVI:3 YEA4:4 JRNO:7 JSNO:7 TRCD:2 SPYN:10 SUNO:10 SINO:24 INYR:4 VSER:3 VONO:8 IVTP:2 TDSC:10 APCD:10 IVBL:1 BLBY:10 BLDT:10 APRV:1 SUCL:3 BKID:5 CUCD:3 CRTP:2 ARAT:12 CUAM:17 DCAM:1 VTAM:17 IVDT:10 DUDT:10 ACDT:10 TECD:3 PYTP:2 PYME:3 TEPY:3 RECO:1 REDE:10 SLOP:2 PYST:1 PYRS:2 ARCD:1 ENME:1 TXID:13 TDCD:4 PAIN:60 IVCL:5",
  },
  "APS200MI/LstInvoiceTrans": {
    inputs: [
      i("SPYN", true, "A", 10, "Payee"),
      i("SINO", true, "A", 24, "Supplier invoice number"),
      i("INYR", true, "N", 4, "Invoice year"),
      i("SUNO", true, "A", 10, "Supplier"),
      i("CONO", false, "N", 3, "Company"),
      i("DIVI", false, "A", 3, "Division"),
      i("TRCD", false, "N", 2, "Transaction code"),
    ],
    outputs:
      "CONO:3 DIVI:3 SPYN:10 SINO:24 INYR:4 SUNO:10 TRCD:2 JRNO:7 JSNO:7 VSER:3 VONO:8 IVTP:2 TDSC:10 APCD:10 IVBL:1 BLBY:10 BLDT:10 APRV:1 SUCL:3 BKID:5 CUCD:3 CRTP:2 ARAT:13 CUAM:17 DCAM:1 VTAM:17 IVDT:10 DUDT:10 ACDT:10 TECD:3 PYTP:2 PYME:3 TEPY:3 RECO:1 REDE:10 SLOP:2 PYST:1 PYRS:2 ARCD:1 ENME:1 PAIN:60",
  },
  "GLS200MI/LstVouchersByDt": {
    inputs: [
      i("FRDT", true, "A", 10, "From date"),
      i("TODT", true, "A", 10, "To date"),
      i("DIVI", false, "A", 3, "Division"),
    ],
    outputs:
      "CONO:3 DIVI:3 YEA4:4 JRNO:7 JSNO:7 FEID:4 FNCN:3 TDSC:10 VDSC:7 TRCD:2 ACDT:10 VSER:3 VONO:8 EICD:1 OCDT:10 REDE:10 RECO:1 ERDT:10 VATD:10 TOCD:1 AIT1:10 AIT2:10 AIT3:10 AIT4:10 AIT5:10 AIT6:10 AIT7:10 ACQT:17 DCQT:1 UNIT:3 CUCD:3 CRTP:2 ARAT:13 THCC:3 TCRT:2 TCAR:13 ACAM:17 DCAM:1 DBCR:1 CUAM:17 TGCD:1 VTP1:7 CVT1:17 VTP2:7 CVT2:17 CVT3:17 CVT4:17 VATR:1 VRNE:1 SERS:2 ARCD:1 GFL1:1 GFL2:1 GFL3:1 GFL4:1 GFL5:1 BSCD:3 FTCO:3 TXID:13 ACYP:6 TCAM:17 CHID:10 VTXT:40 RGDT:10 RGTM:6 APCD:10 APRV:1 ECAR:2 VRNO:16 VSNO:7 LMDT:10 CHNO:3 CYP6:6 DCFG:1 VTPQ:8 VTD1:7 CRAU:10 CRAY:1",
  },
  "GLS200MI/LstVoucherLines": {
    inputs: [
      i("DIVI", true, "A", 3, "Division"),
      i("YEA4", true, "N", 4, "Year"),
      i("VONO", true, "N", 8, "Voucher number"),
      i("CONO", false, "N", 3, "Company"),
      i("VSER", false, "A", 3, "Voucher number series"),
      i("JRNO", false, "N", 7, "Journal number"),
    ],
    outputs:
      "CONO:3 DIVI:3 YEA4:4 JRNO:7 JSNO:7 FEID:4 FNCN:3 TDSC:10 VDSC:7 TRCD:2 ACDT:10 VSER:3 VONO:8 EICD:1 OCDT:10 REDE:10 RECO:1 ERDT:10 VATD:10 TOCD:1 AIT1:10 AIT2:10 AIT3:10 AIT4:10 AIT5:10 AIT6:10 AIT7:10 ACQT:17 DCQT:1 UNIT:3 CUCD:3 CRTP:2 ARAT:13 THCC:3 TCRT:2 TCAR:13 ACAM:17 DCAM:1 DBCR:1 CUAM:17 TGCD:1 VTP1:7 CVT1:17 VTP2:7 CVT2:17 CVT3:17 CVT4:17 VATR:1 VRNE:1 SERS:2 ARCD:1 GFL1:1 GFL2:1 GFL3:1 GFL4:1 GFL5:1 BSCD:3 FTCO:3 TXID:13 ACYP:6 TCAM:17 CHID:10 VTXT:40 RGDT:10 RGTM:6 APCD:10 APRV:1 ECAR:2 VRNO:16 VSNO:7 LMDT:10 CHNO:3 CYP6:6 DCFG:1 VTCD:2 AT04:1 VTD1:7",
  },
  "CRS630MI/LstAccountID": {
    inputs: [
      i("AITP", true, "N", 1, "Accounting dimension"),
      i("DIVI", false, "A", 3, "Division"),
      i("AITM", false, "A", 10, "Accounting identity"),
      i("LNCD", false, "A", 2, "Language"),
    ],
    outputs:
      "CONO:3 DIVI:3 AITP:1 AITM:10 AICL:8 TX40:40 TX15:15 AT01:1 AT02:1 AT03:1 AT11:1 AT04:1 AT05:1 AT06:1 AT07:1 AT08:1 AT09:1 AT10:1 LCCD:1 OUAC:1 BUAC:1 CAAC:1 VFDT:10 VTDT:10 ARCH:1 ACR2:1 ACR3:1 ACR4:1 ACR5:1 ACR6:1 ACR7:1 ACRV:1 ACB2:1 ACB3:1 ACB4:1 ACB5:1 ACB6:1 ACB7:1 ACGR:10 APCG:10 RESP:10 VTCD:2 CCCD:1 CUCD:3 SLCD:1 MQCD:1 MTCD:1 SUCT:3 CICT:3 ETCH:1 OBJE:3 RECE:1 PCA1:1 AT12:1 CLRA:1 STOA:1 BACR:1 RDRI:6 RDVP:7 CMID:8 GCMT:1 TXID:13 RGDT:10 RGTM:6 LMDT:10 CHNO:3 CHID:10 LMTS:18 CAD2:1 CAD3:1 CAD4:1 CAD5:1 CAD6:1 CAD7:1 DAUC:10 AT13:1 LNCD:2 LX40:40 LX15:15 AT14:1",
  },
  "EXPORTMI/Select": {
    inputs: [
      i("QERY", true, "A", 982, "Query statement"),
      i("SEPC", false, "A", 1, "Separator character or blank for flat file"),
      i("HDRS", false, "N", 1, "Include headers, 1 or 0 or blank"),
    ],
    outputs: "REPL:3985",
  },
  "EXPORTMI/LstFields": {
    inputs: [i("FILE", true, "A", 10, "Table")],
    outputs: "FLDN:6 FLDS:15 FLTY:1 FLLE:3 FLDP:2",
  },
  "PPS200MI/LstReceiptsByPO": {
    inputs: [
      i("PUNO", true, "A", 10, "Purchase order number"),
      i("PNLI", false, "N", 3, "Purchase order line"),
      i("PNLS", false, "N", 3, "Purchase order line subnumber"),
    ],
    outputs:
      "PUNO:10 PNLI:3 PNLS:3 PNLX:3 PUOS:2 REPN:10 WHLO:3 STWH:3 WHSL:10 BANO:20 CAMU:20 TRDT:10 TIHM:4 RPQT:17 RPQA:17 SUNO:10 RESP:10 AGNB:10",
  },
};

/** Output field list of a transaction as [code, length] pairs. */
export function outputFields(spec: MiTransactionSpec): Array<[string, number]> {
  return spec.outputs.split(" ").map((pair) => {
    const [name = "", len = "0"] = pair.split(":");
    return [name, Number(len)];
  });
}
